/**
 * The real collaborators of WorkbenchService: main/flash for boards, main/library for backups,
 * main/mqtt for the health check, main/transport for ports and the monitor.
 */
import path from 'node:path';
import { dataHome, dataPaths } from '../datadir.js';
import { FlashbackError } from '../errors.js';
import {
  detectBoard,
  executeRestore,
  isPortSpec,
  loadImage,
  planRestore,
  quickCompare,
  verifyBoard,
  backupBoard,
} from '../flash/index.js';
import type { RestoreParams } from '../flash/restore.js';
import type { RestorePlan } from '../flash/types.js';
import { Library } from '../library/library.js';
import { registerVirtualBoards, virtualBoardNetwork } from '../sim/index.js';
import { listPorts } from '../transport/index.js';
import { probeSerialBridge } from '../transport/bridge-probe.js';
import type { PortInfo } from './api.js';
import type { PlannedRestore, WorkbenchDeps } from './deps.js';
import {
  backupIdentity,
  boardIdentity,
  boardInfo,
  compareView,
  type Identity,
  libraryEntry,
  libraryItem,
  planRegions,
} from './map.js';
import { createFirmwareDeps } from './firmware-deps.js';
import { runWorkbenchMqttCheck } from './mqtt-adapter.js';
import { planDrift } from './plans.js';

const DEMO: PortInfo[] = [
  { path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'Demo board "good" (virtual)' },
  { path: 'virtual:bad', bridge: 'virtual', virtual: true, label: 'Demo board "bad" (virtual)' },
];

import { annotateLine } from '../mqtt/annotate.js';
import { openMonitorSession } from './monitor-link.js';

export { annotateLine };

export function createRealDeps(opts: { libraryDir?: string; broker?: string | null } = {}): WorkbenchDeps {
  // The workbench's real collaborators are a composition root: virtual: ports are main/sim's boards.
  registerVirtualBoards();
  const libraryDir = opts.libraryDir ?? dataPaths.library();
  const library = new Library(libraryDir);
  return {
    firmware: createFirmwareDeps(libraryDir, library),
    listPorts: async () => {
      const ports = await listPorts();
      // The demo boards are always offered, so a new user can walk the wizard without hardware.
      return [
        ...ports.filter((p) => !p.virtual),
        ...DEMO.map((d) => ports.find((p) => p.path === d.path) ?? d),
      ];
    },
    detect: async ({ port, before }, o) =>
      boardInfo(await detectBoard({ port, ...(before ? { before } : {}) }, o)),
    backup: async ({ port, label, before, mac }, o) => {
      const { info, ...result } = await backupBoard(
        {
          port,
          library: libraryDir,
          ...(label ? { label } : {}),
          ...(before ? { before } : {}),
          ...(mac ? { expectMac: mac } : {}),
        },
        o,
      );
      return { ...result, board: boardInfo(info) };
    },
    planRestore: async (p, o) => {
      const params: RestoreParams = {
        port: p.port,
        image: p.image,
        library: libraryDir,
        after: 'hard-reset',
      };
      if (p.flashMode) params.flashMode = p.flashMode;
      if (p.full !== undefined) params.full = p.full;
      if (p.backup !== undefined) params.backup = p.backup;
      if (p.preserve) params.preserve = p.preserve;
      if (p.resume) params.resume = true;
      if (p.before) params.before = p.before;
      if (p.resetFactoryData) params.resetFactoryData = true;
      if (p.mac) params.expectMac = p.mac;
      const plan = await planRestore(params, o);
      const meta = plan.image.libraryId ? await library.show(plan.image.libraryId).catch(() => null) : null;
      const view = {
        ...plan,
        target: boardInfo(plan.target),
        regions: planRegions(plan.writeSectors, meta?.layout?.regions ?? null, plan.image.size),
      };
      return { view, handle: { params, plan } };
    },
    executeRestore: async (planned: PlannedRestore, o) => {
      const { params, plan } = planned.handle as { params: RestoreParams; plan: RestorePlan };
      const r = await executeRestore(params, {
        ...o,
        // Write only what the user confirmed: same image, same chip, same sectors, same options.
        confirm: (now) => {
          const drift = planDrift(plan, now);
          if (drift) {
            throw new FlashbackError(
              'PLAN_STALE',
              `Nothing was written: ${drift} since the plan was shown`,
              'Plan the restore again and check the new plan.',
            );
          }
          return true;
        },
      });
      return {
        written: r.written,
        skippedSectors: r.skippedSectors,
        verified: r.verified,
        seconds: r.seconds,
        backupId: r.backupId,
      };
    },
    verify: async ({ port, image, before }, o) => {
      const img = await loadImage(image, libraryDir);
      const r = await verifyBoard({ port, ...(before ? { before } : {}) }, img.bytes, o);
      return {
        written: r.written,
        skippedSectors: r.skippedSectors,
        verified: r.verified,
        seconds: r.seconds,
      };
    },
    compare: async ({ a, b }, o) => {
      // Who is who: live boards report chip/MAC while compare has them connected; backups, from sidecars.
      const r = await quickCompare(a, b, { library: libraryDir }, o);
      const identity = async (spec: string, board: (typeof r.boards)['a']): Promise<Identity> =>
        board ? boardIdentity(board) : library.show(spec).then(backupIdentity, () => ({}));
      const ids = { a: await identity(a, r.boards.a), b: await identity(b, r.boards.b) };
      return compareView(a, b, r, isPortSpec, ids);
    },
    mqttCheck: (p, o) => runWorkbenchMqttCheck(p, o, virtualBoardNetwork()),
    library: {
      list: async () => (await library.check()).map(libraryItem),
      rename: async (id, label) => libraryEntry(await library.rename(id, label)),
      remove: async (id) => Boolean(await library.remove(id)),
      repair: async (id) => libraryEntry((await library.repair(id)).entry),
      export: async (id, scrub, dir) => {
        const meta = await library.show(id);
        const name = `${(meta.label ?? meta.id.slice(0, 12)).replace(/[^\w.-]+/g, '_')}${scrub ? '-scrubbed' : ''}.bin`;
        // A fresh file per export (never over another one): the download serves exactly these bytes.
        const file = path.join(dir, `${Date.now().toString(36)}-${meta.id.slice(0, 12)}-${name}`);
        const r = await library.export(id, file, { scrub });
        return { file: r.file, name, scrubbed: scrub, report: r.report };
      },
    },
    openMonitor: (port, baud) => openMonitorSession(port, baud, virtualBoardNetwork()),
    probePort: (spec) => probeSerialBridge(spec),
    annotate: annotateLine,
    dataHome: dataHome(),
    defaults: { broker: opts.broker ?? null },
  };
}
