/**
 * The workbench's MQTT step and monitor controls, with fake deps: a check that passed on one board is
 * board-side evidence for a later check on another (the wizard's good board), and monitor.reset /
 * monitor.send reach the open monitor link or say clearly that none is open.
 */
import { describe, expect, it } from 'vitest';
import { fakeDeps, nope } from '../support/fake-deps.js';
import type { JobParams, MqttReport } from '../../main/workbench/api.js';
import type { MonitorLink, WorkbenchDeps } from '../../main/workbench/deps.js';
import { dispatch } from '../../main/workbench/dispatch.js';
import { WorkbenchService } from '../../main/workbench/service.js';

const report = (verdict: MqttReport['verdict']): MqttReport => ({
  verdict,
  broker: 'mqtt://127.0.0.1:1883',
  board: { connected: verdict === 'pass', rcCodes: [] },
  hostProbe: { ok: true, connack: 0, ms: 1 },
  brokerView: { clientIds: [], messages: 0, lastMessage: null },
  diagnosis: [],
});

function deps(over: Partial<WorkbenchDeps>): WorkbenchDeps {
  return fakeDeps({
    listPorts: async () => [
      { path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'good' },
      { path: 'virtual:bad', bridge: 'virtual', virtual: true, label: 'bad' },
    ],
    library: { list: async () => [], rename: nope, remove: async () => true, export: nope },
    dataHome: '/tmp/x',
    ...over,
  });
}

describe('workbench MQTT step', () => {
  it('a pass on the good board is passed on as board-side evidence when the bad board is checked', async () => {
    const seen: Array<JobParams<'mqtt-check'>> = [];
    const svc = new WorkbenchService(
      deps({
        mqttCheck: async (p) => (seen.push(p), report(p.port === 'virtual:good' ? 'pass' : 'fail')),
      }),
      { shell: 'browser', pollMs: 0 },
    );
    const first = await svc.startJob({
      kind: 'mqtt-check',
      params: { port: 'virtual:bad', before: 'no-reset' },
    });
    await svc.waitJob(first.jobId);
    const good = await svc.startJob({ kind: 'mqtt-check', params: { port: 'virtual:good' } });
    await svc.waitJob(good.jobId);
    const bad = await svc.startJob({ kind: 'mqtt-check', params: { port: 'virtual:bad' } });
    await svc.waitJob(bad.jobId);
    expect(seen[0]).toEqual({ port: 'virtual:bad', before: 'no-reset' }); // nothing had passed yet
    expect(seen[1]!.passedOn).toBeUndefined();
    expect(seen[2]).toMatchObject({ port: 'virtual:bad', passedOn: 'virtual:good' });
  });
});

describe('workbench monitor controls', () => {
  it('reset and send reach the open monitor; with none open they say so', async () => {
    const calls: string[] = [];
    const link: MonitorLink = {
      onData: () => () => undefined,
      onClose: () => () => undefined,
      close: async () => undefined,
      onLine: () => () => undefined,
      reset: async () => void calls.push('reset'),
      send: async (t) => void calls.push(`send:${t}`),
      rates: '74880 for the ROM/SDK, 115200 for the app',
    };
    const svc = new WorkbenchService(deps({ openMonitor: async () => link }), {
      shell: 'browser',
      pollMs: 0,
    });
    const closed = await dispatch(svc, 'monitor.reset', { port: 'virtual:good' });
    expect(closed).toMatchObject({ ok: false, error: { code: 'PORT_CLOSED' } });
    await svc.openMonitor('virtual:good', 115200);
    expect(await dispatch(svc, 'monitor.reset', { port: 'virtual:good' })).toEqual({
      ok: true,
      value: { reset: true },
    });
    expect(await dispatch(svc, 'monitor.send', { port: 'virtual:good', text: 'help' })).toEqual({
      ok: true,
      value: { sent: true },
    });
    expect(calls).toEqual(['reset', 'send:help']);
    const tooLong = await dispatch(svc, 'monitor.send', { port: 'virtual:good', text: 'x'.repeat(600) });
    expect(tooLong.ok).toBe(false);
  });
});
