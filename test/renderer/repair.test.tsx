// @vitest-environment jsdom
/** The donor-less repair path: from the wizard, from a failing MQTT verdict, and the restore's clone choice. */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { factoryResetTail } from '../../main/image/factory-reset.js';
import type { MqttReport, RepairPlanView, RestorePlanView } from '../../main/workbench/api.js';
import { App } from '../../renderer/App.js';
import { createFakeClient } from '../../renderer/api/fake-client.js';
import { createAppStore } from '../../renderer/store/index.js';
import { board, demoPorts, entry, failReport, plan } from './fixtures.js';

afterEach(cleanup);

const initData = readFileSync(
  path.resolve(import.meta.dirname, '../fixtures/esp8266/esp_init_data_default_v08.bin'),
);

/** The rows of the plan's factory-data table: address, size, action, why. */
const resetRows = (caption: string) =>
  within(screen.getByRole('table', { name: caption }))
    .getAllByRole('row')
    .slice(1)
    .map((r) =>
      within(r)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    );

const MB4 = 4 << 20;
const repairPlan: RepairPlanView = {
  planId: 'rplan-1',
  port: 'virtual:bad',
  target: board('virtual:bad', '5c:cf:7f:00:00:02'),
  family: 'arduino',
  rule: 'arduino',
  sdkSize: MB4,
  header: { size: MB4, chipSize: MB4, fix: false },
  actions: [
    { offset: MB4 - 0x4000, size: 0x1000, action: 'erase', what: 'RF calibration (the SDK recalibrates)' },
    { offset: MB4 - 0x3000, size: 0x3000, action: 'erase', what: 'SDK system parameters (WiFi settings)' },
  ],
  writeSectors: [1020, 1021, 1022, 1023],
  resetsWifi: true,
  backupFirst: true,
  warnings: [],
};

function setup() {
  const api = createFakeClient({ 'ports.list': () => demoPorts, 'library.list': () => [entry] });
  const store = createAppStore();
  render(<App api={api} store={store} />);
  return { api, store };
}

describe('repair the factory data', () => {
  it('"No good board?" plans, explains and runs the repair, then offers the MQTT check', async () => {
    const { api } = setup();
    const select = await screen.findByLabelText('Bad board port');
    await waitFor(() => expect(select.querySelector('option[value="virtual:bad"]')).not.toBeNull());
    fireEvent.change(select, { target: { value: 'virtual:bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'No good board? Repair the factory data' }));
    expect(screen.getByRole('heading', { name: 'Repair the factory data' })).toBeTruthy();
    expect((screen.getByLabelText('Board to repair') as HTMLSelectElement).value).toBe('virtual:bad');
    fireEvent.click(screen.getByRole('button', { name: 'Plan the repair' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('plan-repair'));
    expect(api.started.at(-1)!.params).toEqual({ port: 'virtual:bad' });
    act(() => api.finish(api.started.at(-1)!.jobId, 'plan-repair', repairPlan));
    const p = await screen.findByRole('region', { name: 'Repair plan' });
    expect(within(p).getByText('RF calibration (the SDK recalibrates)')).toBeTruthy();
    expect(within(p).getByRole('note').textContent).toMatch(/Stored WiFi settings are reset/);
    fireEvent.click(screen.getByRole('button', { name: 'Repair: change 4 sectors' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('repair'));
    expect(api.started.at(-1)!.params).toEqual({ planId: 'rplan-1', options: { port: 'virtual:bad' } });
    act(() =>
      api.finish(api.started.at(-1)!.jobId, 'repair', {
        changedSectors: [1020, 1021, 1022, 1023],
        verified: true,
        backupId: 'd'.repeat(64),
        seconds: 1.5,
      }),
    );
    expect((await screen.findByRole('status', { name: 'Repair result' })).textContent).toMatch(
      /Factory data reset and verified: 4 sectors/,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Run the MQTT check on this board' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('mqtt-check'));
    expect(api.started.at(-1)!.params).toEqual({ port: 'virtual:bad' });
    expect(await screen.findByRole('heading', { name: 'MQTT check' })).toBeTruthy();
  });

  it('the header fix option is part of the plan: changing it drops the plan', async () => {
    const { api, store } = setup();
    act(() => store.getState().openRepair('virtual:bad'));
    fireEvent.click(await screen.findByRole('button', { name: 'Plan the repair' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('plan-repair'));
    act(() => api.finish(api.started.at(-1)!.jobId, 'plan-repair', repairPlan));
    await screen.findByRole('region', { name: 'Repair plan' });
    fireEvent.click(screen.getByLabelText(/Also fix a header flash size/));
    expect(screen.queryByRole('button', { name: /Repair: change/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Plan the repair' }));
    await waitFor(() => expect(api.started.at(-1)?.params).toEqual({ port: 'virtual:bad', fixHeader: true }));
  });

  it('a failing MQTT verdict that blames the factory data offers "Repair factory data"', async () => {
    const { api, store } = setup();
    const blamed: MqttReport = {
      ...failReport,
      diagnosis: [{ ...failReport.diagnosis[0]!, code: 'board-side', factoryData: true }],
    };
    act(() =>
      store.setState((s) => ({
        wizard: { ...s.wizard, step: 'mqtt', port: { good: null, bad: 'virtual:bad' } },
      })),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Run MQTT check' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('mqtt-check'));
    const id = api.started.at(-1)!.jobId;
    act(() => api.finish(id, 'mqtt-check', failReport));
    const verdict = await screen.findByRole('status', { name: 'MQTT verdict' });
    // The broker-side fixture evidence does not point at factory data: no button.
    expect(within(verdict).queryByRole('button', { name: 'Repair factory data' })).toBeNull();
    act(() => api.finish(id, 'mqtt-check', blamed));
    fireEvent.click(await screen.findByRole('button', { name: 'Repair factory data' }));
    expect(screen.getByRole('heading', { name: 'Repair the factory data' })).toBeTruthy();
    expect(store.getState().repair.port).toBe('virtual:bad');
  });

  it('restore offers "clone the firmware and reset the factory data" beside the exact clone', async () => {
    const { api, store } = setup();
    act(() =>
      store.setState((s) => ({
        jobs: {
          b: {
            id: 'b',
            kind: 'detect',
            port: 'virtual:bad',
            state: 'done',
            progress: null,
            startedAt: 0,
            result: board('virtual:bad', '5c:cf:7f:00:00:02'),
          },
        },
        wizard: {
          ...s.wizard,
          step: 'restore',
          port: { good: 'virtual:good', bad: 'virtual:bad' },
          detectJob: { good: null, bad: 'b' },
        },
      })),
    );
    await waitFor(() => expect(store.getState().library).toHaveLength(1));
    const mode = await screen.findByRole('group', { name: 'What to copy from the good board' });
    expect((within(mode).getByLabelText(/Exact clone/) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(mode).getByLabelText(/Clone the firmware and reset the factory data/));
    expect((screen.getByLabelText(/Keep the bad board's own WiFi/) as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Plan restore' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('plan-restore'));
    expect(api.started.at(-1)!.params).toMatchObject({ port: 'virtual:bad', resetFactoryData: true });
    // The plan as main/flash makes it for an Arduino-core donor image on a 4 MB board.
    const arduino = factoryResetTail('arduino', MB4, new Uint8Array(0)).steps;
    act(() =>
      api.finish(api.started.at(-1)!.jobId, 'plan-restore', {
        ...plan,
        factoryReset: { rule: 'arduino', steps: arduino },
      }),
    );
    expect((await screen.findByRole('note', { name: 'Factory data' })).textContent).toMatch(
      /RF calibration and stored WiFi settings are not copied/,
    );
    expect(resetRows('Factory data reset instead of copied (Arduino core layout)')).toEqual([
      ['0x3FC000', '4 KiB', 'Erase', expect.stringMatching(/RF_CAL/)],
      ['0x3FD000', '12 KiB', 'Erase', expect.stringMatching(/system parameters/)],
    ]);
  });

  it("the restore plan lists the NONOS layout's reset sectors (init data written); an exact clone lists none", async () => {
    const { api, store } = setup();
    act(() =>
      store.setState((s) => ({
        wizard: { ...s.wizard, step: 'restore', port: { good: null, bad: 'virtual:bad' } },
      })),
    );
    await waitFor(() => expect(store.getState().library).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: 'Plan restore' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('plan-restore'));
    act(() => api.finish(api.started.at(-1)!.jobId, 'plan-restore', { ...plan, factoryReset: null }));
    await screen.findByRole('region', { name: 'Restore plan' });
    expect(screen.queryByRole('table', { name: /Factory data reset/ })).toBeNull();

    fireEvent.click(screen.getByLabelText(/Clone the firmware and reset the factory data/));
    fireEvent.click(screen.getByRole('button', { name: 'Plan restore' }));
    await waitFor(() => expect(api.started.at(-1)?.params).toMatchObject({ resetFactoryData: true }));
    const nonos: RestorePlanView['factoryReset'] = {
      rule: 'nonos',
      steps: factoryResetTail('nonos', MB4, initData).steps,
    };
    act(() => api.finish(api.started.at(-1)!.jobId, 'plan-restore', { ...plan, factoryReset: nonos }));
    await screen.findByRole('table', { name: /NONOS SDK layout/ });
    expect(resetRows('Factory data reset instead of copied (NONOS SDK layout)')).toEqual([
      ['0x3FB000', '4 KiB', 'Erase', expect.stringMatching(/RF_CAL/)],
      ['0x3FC000', '4 KiB', 'Write', expect.stringMatching(/init data/)],
      ['0x3FD000', '8 KiB', 'Erase', expect.stringMatching(/system-param/)],
      ['0x3FF000', '4 KiB', 'Keep', expect.stringMatching(/flag sector/)],
    ]);
  });
});
