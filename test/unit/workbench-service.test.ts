import { describe, expect, it } from 'vitest';
import { fakeDeps, nope } from '../support/fake-deps.js';
import { FlashbackError } from '../../main/errors.js';
import type { BoardInfo, WorkbenchEvent } from '../../main/workbench/api.js';
import type { MonitorLink, WorkbenchDeps } from '../../main/workbench/deps.js';
import { dispatch } from '../../main/workbench/dispatch.js';
import { JobRunner } from '../../main/workbench/jobs.js';
import { WorkbenchService } from '../../main/workbench/service.js';

const board: BoardInfo = {
  port: 'virtual:good',
  bridge: 'virtual',
  chip: 'ESP8266EX',
  mac: 'aa:bb:cc:dd:ee:ff',
  crystalMHz: 26,
  chipId: 1,
  flash: { manufacturer: 'Winbond', device: 0x4016, jedecId: 0x1640ef, size: 4 << 20 },
};

function fakeLink(log: string[]): MonitorLink & { feed(s: string): void } {
  const data = new Set<(c: Uint8Array) => void>();
  const closes = new Set<(e?: Error) => void>();
  return {
    onData: (l) => (data.add(l), () => data.delete(l)),
    onClose: (l) => (closes.add(l), () => closes.delete(l)),
    close: async () => {
      log.push('monitor-close');
      for (const c of closes) c();
    },
    feed: (s) => data.forEach((l) => l(new TextEncoder().encode(s))),
  };
}

function deps(over: Partial<WorkbenchDeps> = {}, log: string[] = []): WorkbenchDeps {
  return fakeDeps({
    listPorts: async () => [
      { path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'Demo good board (virtual)' },
    ],
    detect: async () => board,
    library: { list: async () => [], rename: nope, remove: async () => true, export: nope },
    openMonitor: async () => {
      log.push('monitor-open');
      return fakeLink(log);
    },
    annotate: (line) =>
      /rc=(-?\d+)/.test(line)
        ? { rc: Number(/rc=(-?\d+)/.exec(line)![1]), meaning: 'TCP connect failed' }
        : null,
    dataHome: '/tmp/x',
    ...over,
  });
}

describe('WorkbenchService', () => {
  it('runs a job, reports throttled progress with ETA and the result', async () => {
    const svc = new WorkbenchService(
      deps({
        backup: async (_p, o) => {
          for (let i = 0; i <= 100; i++)
            o.onProgress?.({ phase: 'read', done: i * 1000, total: 100_000, bytesPerSec: 50_000 });
          return {
            libraryId: 'abc',
            file: 'f',
            size: 100_000,
            md5: 'm',
            sha256: 's',
            seconds: 2,
            bytesRead: 100_000,
            board,
          };
        },
      }),
      { shell: 'browser', pollMs: 0 },
    );
    const events: WorkbenchEvent[] = [];
    svc.subscribe((e) => events.push(e));
    const r = await dispatch(svc, 'jobs.start', { kind: 'backup', params: { port: 'virtual:good' } });
    expect(r.ok).toBe(true);
    const jobId = (r as { ok: true; value: { jobId: string } }).value.jobId;
    const snap = await svc.waitJob(jobId);
    expect(snap?.state).toBe('done');
    expect(snap?.result).toMatchObject({ libraryId: 'abc' });
    const jobEvents = events.filter((e) => e.type === 'job');
    // 101 progress reports are throttled to a handful of events.
    expect(jobEvents.length).toBeLessThan(10);
    const withProgress = jobEvents.find((e) => e.type === 'job' && e.job.progress);
    expect(withProgress && withProgress.type === 'job' && withProgress.job.progress?.etaSec).toBe(2);
  });

  it('cancels a running job and reports it as cancelled', async () => {
    const svc = new WorkbenchService(
      deps({
        backup: (_p, o) =>
          new Promise((_res, rej) =>
            o.signal?.addEventListener('abort', () =>
              rej(new FlashbackError('ABORTED', 'Backup was cancelled', 'x')),
            ),
          ),
      }),
      { shell: 'browser', pollMs: 0 },
    );
    const { jobId } = await svc.startJob({ kind: 'backup', params: { port: 'virtual:good' } });
    expect(svc.cancelJob(jobId).cancelled).toBe(true);
    const snap = await svc.waitJob(jobId);
    expect(snap?.state).toBe('cancelled');
    expect(snap?.error?.code).toBe('ABORTED');
  });

  it('rejects bad payloads at the boundary without calling the service', async () => {
    let called = false;
    const svc = new WorkbenchService(deps({ detect: async () => ((called = true), board) }), {
      shell: 'browser',
      pollMs: 0,
    });
    const bad = await dispatch(svc, 'jobs.start', { kind: 'detect', params: { port: 42 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    expect((await dispatch(svc, 'jobs.start', { kind: 'format-disk', params: {} })).ok).toBe(false);
    expect((await dispatch(svc, 'nope', {})).ok).toBe(false);
    expect((await dispatch(svc, 'library.rename', { id: 'a', label: 'x', extra: 1 })).ok).toBe(false);
    expect(called).toBe(false);
  });

  it('names the likely culprit when another program holds the port', async () => {
    const svc = new WorkbenchService(
      deps({
        listPorts: async () => [{ path: '/dev/ttyUSB0', bridge: 'CH340', virtual: false, label: 'USB' }],
        detect: async () => Promise.reject(new FlashbackError('PORT_BUSY', 'Resource busy', 'x')),
      }),
      { shell: 'browser', pollMs: 0 },
    );
    const { jobId } = await svc.startJob({ kind: 'detect', params: { port: '/dev/ttyUSB0' } });
    const snap = await svc.waitJob(jobId);
    expect(snap?.error?.code).toBe('PORT_BUSY');
    expect(snap?.error?.hint).toMatch(/serial monitor/);
    expect(snap?.error?.hint).toMatch(/Retry/);
  });

  it('pauses the monitor while a job owns the port and resumes it after', async () => {
    const log: string[] = [];
    let release!: () => void;
    const svc = new WorkbenchService(
      deps(
        {
          detect: async () => {
            log.push('detect');
            await new Promise<void>((r) => (release = r));
            return board;
          },
        },
        log,
      ),
      { shell: 'browser', pollMs: 0 },
    );
    const states: string[] = [];
    svc.subscribe((e) => e.type === 'monitor-state' && states.push(e.state));
    await svc.openMonitor('virtual:good', 115200);
    const { jobId } = await svc.startJob({ kind: 'detect', params: { port: 'virtual:good' } });
    await new Promise((r) => setTimeout(r, 20));
    // A second job on the same port is refused, not interleaved.
    const second = await svc.startJob({ kind: 'detect', params: { port: 'virtual:good' } });
    expect((await svc.waitJob(second.jobId))?.error?.message).toMatch(/another Flashback job/);
    release();
    expect((await svc.waitJob(jobId))?.state).toBe('done');
    expect(log).toEqual(['monitor-open', 'monitor-close', 'detect', 'monitor-open']);
    expect(states).toEqual(['open', 'paused', 'open']);
    await svc.close();
  });

  it('emits ports only when the set changes and annotates monitor lines', async () => {
    let ports = [{ path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'good' }];
    const link = fakeLink([]);
    const svc = new WorkbenchService(deps({ listPorts: async () => ports, openMonitor: async () => link }), {
      shell: 'browser',
      pollMs: 0,
    });
    const events: WorkbenchEvent[] = [];
    svc.subscribe((e) => events.push(e));
    await svc.listPorts();
    await svc.listPorts();
    ports = [...ports, { path: '/dev/ttyUSB0', bridge: 'CH340', virtual: false, label: 'USB' }];
    await svc.listPorts();
    expect(events.filter((e) => e.type === 'ports')).toHaveLength(2);
    await svc.openMonitor('virtual:good');
    link.feed('Attempting MQTT connection...failed, rc=-2 try again\r\npartial');
    const mon = events.filter((e) => e.type === 'monitor');
    expect(mon).toEqual([
      {
        type: 'monitor',
        port: 'virtual:good',
        text: 'Attempting MQTT connection...failed, rc=-2 try again',
        rc: -2,
        meaning: 'TCP connect failed',
      },
    ]);
  });
});

describe('WorkbenchService compare', () => {
  it('owns both live boards while comparing, so the monitor pauses on each and a second job waits its turn', async () => {
    const log: string[] = [];
    let release!: () => void;
    const svc = new WorkbenchService(
      deps(
        {
          compare: async (p) => {
            log.push(`compare ${p.a} ${p.b}`);
            await new Promise<void>((r) => (release = r));
            return {
              a: { spec: p.a, kind: 'board', fields: {} },
              b: { spec: p.b, kind: 'image', fields: {} },
              sectorSize: 4096,
              sectors: [],
              regions: [],
              summary: '',
            };
          },
        },
        log,
      ),
      { shell: 'browser', pollMs: 0 },
    );
    await svc.openMonitor('virtual:good');
    const { jobId } = await svc.startJob({
      kind: 'compare',
      params: { a: 'virtual:good', b: 'abcdef123456' },
    });
    await new Promise((r) => setTimeout(r, 20));
    const clash = await svc.startJob({ kind: 'detect', params: { port: 'virtual:good' } });
    expect((await svc.waitJob(clash.jobId))?.error?.code).toBe('PORT_BUSY');
    release();
    expect((await svc.waitJob(jobId))?.state).toBe('done');
    expect(log).toEqual([
      'monitor-open',
      'monitor-close',
      'compare virtual:good abcdef123456',
      'monitor-open',
    ]);
  });
});

describe('WorkbenchService ports: listed or added by the user, nothing else', () => {
  it('refuses jobs and the monitor on a port that is neither listed nor added; ports.add validates', async () => {
    const opened: string[] = [];
    let detected = 0;
    const svc = new WorkbenchService(
      deps({
        detect: async () => (detected++, board),
        openMonitor: async (port) => (opened.push(port), fakeLink([])),
      }),
      { shell: 'browser', pollMs: 0 },
    );
    // A relay to any TCP service on the network, in one request: refused before anything opens.
    for (const port of ['socket://10.1.2.3:22', 'socket://127.0.0.1:6379', '/etc/passwd', 'virtual:other']) {
      await expect(svc.openMonitor(port)).rejects.toMatchObject({ code: 'BAD_PORT_SPEC' });
      expect(await dispatch(svc, 'jobs.start', { kind: 'detect', params: { port } })).toMatchObject({
        ok: false,
        error: { code: 'BAD_PORT_SPEC' },
      });
    }
    expect(opened).toEqual([]);
    expect(detected).toBe(0);
    // Typed by the user: validated, canonicalised, listed, then usable.
    for (const bad of ['/etc/passwd', 'socket://host', 'ftp://x:1', 'tty0'])
      expect(await dispatch(svc, 'ports.add', { port: bad })).toMatchObject({ ok: false });
    const added = await dispatch(svc, 'ports.add', { port: 'socket://127.0.0.1:4000/' });
    expect(added).toMatchObject({ ok: true, value: { port: 'socket://127.0.0.1:4000' } });
    expect((await svc.listPorts()).map((p) => p.path)).toContain('socket://127.0.0.1:4000');
    await svc.openMonitor('socket://127.0.0.1:4000');
    expect(opened).toEqual(['socket://127.0.0.1:4000']);
    // A listed port needs no adding.
    const { jobId } = await svc.startJob({ kind: 'detect', params: { port: 'virtual:good' } });
    expect((await svc.waitJob(jobId))?.state).toBe('done');
    await svc.close();
  });
});

describe('JobRunner memory', () => {
  it('keeps every running job and the last 100 finished ones', async () => {
    const runner = new JobRunner(
      () => undefined,
      () => undefined,
    );
    let release!: () => void;
    const long = runner.start('detect', 'virtual:good', () => new Promise((r) => (release = () => r(board))));
    for (let i = 0; i < 120; i++) {
      const j = runner.start('detect', null, async () => board);
      await runner.wait(j.id);
    }
    runner.start('detect', null, async () => board);
    const ids = runner.list().map((j) => j.id);
    expect(ids).toContain(long.id);
    expect(ids.length).toBeLessThanOrEqual(102);
    expect(ids.length).toBeGreaterThanOrEqual(100);
    release();
    await runner.wait(long.id);
  });
});
