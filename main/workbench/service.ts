/**
 * The service behind WorkbenchApi: runs jobs on the layers below (through WorkbenchDeps), owns the
 * serial ports (PortOwner), and pushes events (ports plugged/unplugged, job progress, MQTT log,
 * monitor output) to every subscribed bridge. Bridges never call it directly: see ./dispatch.ts.
 */
import { FlashbackError } from '../errors.js';
import type { OpOptions } from '../progress.js';
import type {
  AppInfo,
  CompareView,
  JobKind,
  JobParams,
  JobSnapshot,
  JobStartRequest,
  MethodResults,
  PortInfo,
  RepairPlanView,
  RestorePlanView,
  WorkbenchEvent,
} from './api.js';
import { LIBRARY_ID, isUploadRef } from './api.js';
import type {
  FirmwareDeps,
  MonitorLink,
  PlannedRestore,
  ResolvedFile,
  WorkbenchDeps,
  WriteRequest,
} from './deps.js';
import { type JobBody, JobRunner } from './jobs.js';
import { LineSplitter } from './lines.js';
import { PortOwner } from './port-owner.js';
import { busyHint } from './port-hints.js';
import { packageVersion } from '../package-info.js';
import { PlanBook, normaliseRepair, normaliseWrite } from './plans.js';
import { isPortSpec } from '../transport/spec.js';
import { KnownPorts } from './known-ports.js';
import { Transfers } from './transfers.js';

export { isPortSpec };

/** Every port a job would open (checked against the known ports before it starts). */
function jobPorts(req: JobStartRequest): string[] {
  switch (req.kind) {
    case 'restore':
      return [];
    case 'write':
    case 'repair':
      return [req.params.options.port];
    case 'compare':
      return [req.params.a, req.params.b].filter((s) => !isUploadRef(s) && !LIBRARY_ID.test(s));
    default:
      return [req.params.port];
  }
}

export interface ServiceOptions {
  shell: AppInfo['shell'];
  version?: string;
  /** How often to re-list ports while someone listens (plug/unplug notice). 0 disables. */
  pollMs?: number;
}

export class WorkbenchService {
  private readonly listeners = new Set<(e: WorkbenchEvent) => void>();
  private readonly jobs: JobRunner;
  private readonly owner: PortOwner;
  private readonly plans = new PlanBook();
  private readonly writePlans = new PlanBook<WriteRequest, JobParams<'plan-write'>>(normaliseWrite);
  private readonly repairPlans = new PlanBook<
    { params: JobParams<'plan-repair'>; view: Omit<RepairPlanView, 'planId'> },
    JobParams<'plan-repair'>
  >(normaliseRepair);
  private readonly known: KnownPorts;
  /** Uploaded files in, exports out: always inside the data folder. */
  readonly transfers: Transfers;
  private lastPorts = '';
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly deps: WorkbenchDeps,
    private readonly opts: ServiceOptions,
  ) {
    this.jobs = new JobRunner(
      (job) => this.emit({ type: 'job', job }),
      (jobId, line) => this.emit({ type: 'job-log', jobId, line }),
    );
    this.transfers = new Transfers(deps.dataHome);
    this.known = new KnownPorts(
      () => this.deps.listPorts(),
      deps.probePort ? (spec) => deps.probePort!(spec) : undefined,
    );
    this.owner = new PortOwner({
      open: (port, baud) => this.deps.openMonitor(port, baud),
      attach: (port, link) => this.attachMonitor(port, link),
      state: (port, state, reason) =>
        this.emit({ type: 'monitor-state', port, state, ...(reason ? { reason } : {}) }),
    });
  }

  subscribe(listener: (e: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1 && (this.opts.pollMs ?? 2000) > 0) {
      this.poll = setInterval(() => void this.listPorts().catch(() => undefined), this.opts.pollMs ?? 2000);
      this.poll.unref?.();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.poll) clearInterval(this.poll);
    };
  }

  private emit(e: WorkbenchEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // One broken bridge (closed socket) must not stop the others.
      }
    }
  }

  appInfo(): AppInfo {
    return {
      version: this.opts.version ?? packageVersion(),
      dataHome: this.deps.dataHome,
      shell: this.opts.shell,
      defaults: this.deps.defaults,
    };
  }

  /** Lists ports; emits `ports` when the set changed since the last look (plug/unplug). */
  async listPorts(): Promise<PortInfo[]> {
    const ports = await this.known.list();
    const key = JSON.stringify(ports);
    if (key !== this.lastPorts) {
      this.lastPorts = key;
      this.emit({ type: 'ports', ports });
    }
    return ports;
  }

  /** A port the user typed in the UI becomes usable (validated; see KnownPorts). */
  async addPort(port: string): Promise<{ port: string; ports: PortInfo[] }> {
    const added = await this.known.add(port);
    return { port: added, ports: await this.listPorts() };
  }

  async startJob(req: JobStartRequest): Promise<{ jobId: string }> {
    for (const port of jobPorts(req)) await this.known.check(port);
    const snap = this.run(req);
    return { jobId: snap.id };
  }

  /** The stored copy behind an upload id; library ids and ports pass through unchanged. */
  private file(ref: string): string {
    return isUploadRef(ref) ? this.transfers.uploadFile(ref) : ref;
  }

  private run(req: JobStartRequest): JobSnapshot {
    const d = this.deps;
    switch (req.kind) {
      case 'detect':
        return this.onPort('detect', req.params.port, (o) => d.detect(req.params, o));
      case 'backup':
        return this.onPort('backup', req.params.port, (o) => d.backup(req.params, o));
      case 'plan-restore': {
        const options = req.params;
        const params = { ...options, image: this.file(options.image) };
        return this.onPort('plan-restore', options.port, async (o) =>
          this.keepPlan(await d.planRestore(params, o), options),
        );
      }
      case 'restore': {
        // Refused here, before any job exists: unknown, used or stale plans never reach the board.
        const plan = this.plans.take(req.params.planId, req.params.options);
        return this.onPort('restore', plan.view.port, (o) => d.executeRestore(plan, o));
      }
      case 'verify': {
        const params = { ...req.params, image: this.file(req.params.image) };
        return this.onPort('verify', req.params.port, (o) => d.verify(params, o));
      }
      case 'plan-write': {
        const options = req.params;
        const fw = this.firmware();
        const w = this.writeRequest(options);
        return this.onPort('plan-write', options.port, async (o) => {
          const view = await fw.planWrite(w, o);
          // The write runs on the board the plan was shown for, or not at all.
          return { planId: this.writePlans.add({ ...w, mac: view.target.mac }, options), ...view };
        });
      }
      case 'write': {
        const fw = this.firmware();
        // Refused before any job exists when the plan is unknown, used, or its options changed.
        const w = this.writePlans.take(req.params.planId, req.params.options);
        return this.onPort('write', w.port, (o) => fw.write(w, o));
      }
      case 'verify-files': {
        const fw = this.firmware();
        const w = this.writeRequest(req.params);
        return this.onPort('verify-files', req.params.port, (o) => fw.verifyFiles(w, o));
      }
      case 'erase': {
        const fw = this.firmware();
        return this.onPort('erase', req.params.port, (o) => fw.erase(req.params, o));
      }
      case 'plan-repair': {
        const fw = this.firmware();
        const params = req.params;
        return this.onPort('plan-repair', params.port, async (o) => {
          const view = await fw.planRepair(params, o);
          return { planId: this.repairPlans.add({ params, view }, params), ...view };
        });
      }
      case 'repair': {
        const fw = this.firmware();
        // Refused here, before any job exists: unknown, used or stale plans never reach the board.
        const p = this.repairPlans.take(req.params.planId, req.params.options);
        return this.onPort('repair', p.params.port, (o) => fw.repair(p.params, p.view, o));
      }
      case 'compare': {
        const params = { a: this.file(req.params.a), b: this.file(req.params.b) };
        // Live boards on either side are owned for the compare like any other job's port.
        const ports = [req.params.a, req.params.b].filter(isPortSpec);
        const held = (o: OpOptions, jobId: string) =>
          ports.reduceRight<() => Promise<CompareView>>(
            (inner, port) => () =>
              this.owner.withPort(port, jobId, inner).catch((e: unknown) => {
                throw busyHint(e, port);
              }),
            () => d.compare(params, o),
          )();
        return this.jobs.start('compare', ports[0] ?? null, held);
      }
      case 'mqtt-check':
        return this.mqttCheck(req.params);
    }
  }

  private firmware(): FirmwareDeps {
    if (!this.deps.firmware)
      throw new FlashbackError(
        'INTERNAL',
        'Flashing firmware files is not available in this build',
        'Use the flashback CLI (`flashback write ADDR FILE …`).',
      );
    return this.deps.firmware;
  }

  /** Upload ids (or library ids) to the stored files, with the names the user knows them by. */
  private resolveFile(f: { address: number; file: string }): ResolvedFile {
    const name = isUploadRef(f.file) ? (this.transfers.uploadInfo(f.file)?.name ?? f.file) : f.file;
    return { address: f.address, file: this.file(f.file), name };
  }

  private writeRequest(o: {
    port: string;
    files: { address: number; file: string }[];
    flashMode?: WriteRequest['flashMode'];
    flashSize?: WriteRequest['flashSize'];
    backup?: boolean;
  }): WriteRequest {
    return {
      port: o.port,
      files: o.files.map((f) => this.resolveFile(f)),
      ...(o.flashMode ? { flashMode: o.flashMode } : {}),
      ...(o.flashSize ? { flashSize: o.flashSize } : {}),
      ...(o.backup !== undefined ? { backup: o.backup } : {}),
    };
  }

  /** What an uploaded file is (no board needed). */
  async identifyFile(ref: string): Promise<MethodResults['files.identify']> {
    const f = this.resolveFile({ address: 0, file: ref });
    const info = this.transfers.uploadInfo(ref);
    return { ...(await this.firmware().identify(f)), name: f.name, size: info?.size ?? 0 };
  }

  /** Keeps an uploaded file in the library (labelled with its name unless given one). */
  async importFile(ref: string, label?: string): Promise<MethodResults['library.import']> {
    const f = this.resolveFile({ address: 0, file: ref });
    return this.firmware().importFile(f, label ?? f.name);
  }

  private mqttCheck(params: JobParams<'mqtt-check'>): JobSnapshot {
    const t0 = Date.now();
    // The wizard's good board passed earlier: board-side evidence when this board fails (causes.ts).
    const passedOn = params.passedOn ?? [...this.mqttPasses].reverse().find((p) => p !== params.port);
    const withRef = passedOn && passedOn !== params.port ? { ...params, passedOn } : params;
    return this.onPort('mqtt-check', params.port, async (o, jobId) => {
      const r = await this.deps.mqttCheck(withRef, {
        ...o,
        onEvent: (event) =>
          this.emit({ type: 'mqtt', jobId, event: { ...event, t: event.t ?? Date.now() - t0 } }),
      });
      if (r.verdict === 'pass') this.mqttPasses.push(params.port);
      return r;
    });
  }

  /** Ports whose MQTT check passed in this session, oldest first. */
  private readonly mqttPasses: string[] = [];

  private keepPlan(plan: PlannedRestore, options: JobParams<'plan-restore'>): RestorePlanView {
    return { planId: this.plans.add(plan, options), ...plan.view };
  }

  /** A job that owns `port` while it runs; a busy port gets a hint naming the likely culprit. */
  private onPort<K extends JobKind>(kind: K, port: string, body: JobBody<K>): JobSnapshot {
    return this.jobs.start(kind, port, (o, jobId) =>
      this.owner
        .withPort(port, jobId, () => body(o, jobId))
        .catch((e: unknown) => {
          throw busyHint(e, port);
        }),
    );
  }

  cancelJob(jobId: string): { cancelled: boolean } {
    return { cancelled: this.jobs.cancel(jobId) };
  }

  listJobs(): JobSnapshot[] {
    return this.jobs.list();
  }

  waitJob(jobId: string): Promise<JobSnapshot | undefined> {
    return this.jobs.wait(jobId);
  }

  library(): WorkbenchDeps['library'] {
    return this.deps.library;
  }

  /** Writes the export inside the data folder (exports/) and offers it as a download. */
  async exportLibrary(id: string, scrub: boolean): Promise<MethodResults['library.export']> {
    const r = await this.deps.library.export(id, scrub, this.transfers.exportDir);
    return {
      download: await this.transfers.addDownload(r.file, r.name),
      scrubbed: r.scrubbed,
      ...(r.report ? { report: r.report } : {}),
    };
  }

  async openMonitor(port: string, baud = 115200): Promise<MethodResults['monitor.open']> {
    await this.known.check(port);
    await this.owner.openMonitor(port, baud).catch((e: unknown) => {
      throw busyHint(e, port);
    });
    return { port, baud };
  }

  async closeMonitor(port: string): Promise<MethodResults['monitor.close']> {
    return { closed: await this.owner.closeMonitor(port) };
  }

  async resetMonitor(port: string): Promise<MethodResults['monitor.reset']> {
    const link = this.openMonitorLink(port);
    if (!link.reset) return { reset: false };
    await link.reset();
    return { reset: true };
  }

  async sendMonitor(port: string, text: string): Promise<MethodResults['monitor.send']> {
    const link = this.openMonitorLink(port);
    if (!link.send) return { sent: false };
    await link.send(text);
    return { sent: true };
  }

  private openMonitorLink(port: string): MonitorLink {
    const link = this.owner.monitorLink(port);
    if (!link)
      throw new FlashbackError(
        'PORT_CLOSED',
        `No monitor is open on ${port}`,
        'Open the monitor on this port first (it pauses while a flash job uses the port).',
      );
    return link;
  }

  private attachMonitor(port: string, link: MonitorLink): void {
    if (link.onLine) {
      link.onLine((l) => this.emit({ type: 'monitor', port, ...l }));
      if (link.rates) this.emit({ type: 'monitor-state', port, state: 'open', rates: link.rates });
      return;
    }
    const split = new LineSplitter((text) => {
      const note = this.deps.annotate(text);
      this.emit({ type: 'monitor', port, text, ...(note ?? {}) });
    });
    link.onData((chunk) => split.push(chunk));
    link.onClose(() => split.flush());
  }

  /** App quit: cancel jobs (their ports close), close monitors, stop background services. */
  async close(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    await this.jobs.cancelAll();
    await this.owner.closeAll();
    await this.deps.close?.();
    this.listeners.clear();
  }
}
