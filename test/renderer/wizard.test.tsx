// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../renderer/App.js';
import { createFakeClient } from '../../renderer/api/fake-client.js';
import { type AppStore, createAppStore } from '../../renderer/store/index.js';
import { persistWizard } from '../../renderer/store/persist.js';
import type { JobSnapshot } from '../../main/workbench/api.js';
import { board, demoPorts, entry, failReport, plan } from './fixtures.js';

afterEach(cleanup);

function setup() {
  const api = createFakeClient({ 'ports.list': () => demoPorts, 'library.list': () => [entry] });
  const store = createAppStore();
  render(<App api={api} store={store} />);
  return { api, store };
}

async function pick(label: RegExp, value: string) {
  const select = await screen.findByLabelText(label);
  await waitFor(() => expect(select.querySelector(`option[value="${value}"]`)).not.toBeNull());
  fireEvent.change(select, { target: { value } });
}

describe('wizard', () => {
  it('offers the demo boards labelled virtual when no hardware is plugged in', async () => {
    setup();
    expect(await screen.findByText(/No USB serial port found/)).toBeTruthy();
    const select = screen.getByLabelText('Good board port');
    const group = within(select).getByRole('group', { name: 'Demo boards (virtual)' });
    expect(
      within(group)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['virtual:good — Demo board "good"', 'virtual:bad — Demo board "bad"']);
  });

  it('"Use the demo boards" picks virtual:good and virtual:bad in one click', async () => {
    setup();
    fireEvent.click(await screen.findByRole('button', { name: 'Use the demo boards' }));
    expect(screen.getByLabelText<HTMLSelectElement>('Good board port').value).toBe('virtual:good');
    expect(screen.getByLabelText<HTMLSelectElement>('Bad board port').value).toBe('virtual:bad');
  });

  it('detects both boards, shows progress with rate, ETA and cancel, then the board cards', async () => {
    const { api } = setup();
    await pick(/Good board port/, 'virtual:good');
    await pick(/Bad board port/, 'virtual:bad');
    fireEvent.click(screen.getByRole('button', { name: 'Detect good board' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    expect(api.started[0]).toEqual({ jobId: 'job-1', kind: 'detect', params: { port: 'virtual:good' } });
    act(() =>
      api.progress('job-1', 'detect', {
        phase: 'sync',
        done: 2048,
        total: 4096,
        bytesPerSec: 1024,
        etaSec: 2,
      }),
    );
    const bar = await screen.findByRole('progressbar', { name: /Detect good board progress/ });
    expect(bar.getAttribute('aria-valuenow')).toBe('50');
    expect(screen.getByText('Rate 1 KiB/s')).toBeTruthy();
    expect(screen.getByText('ETA 2 s')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(
      api.calls.some((c) => c.method === 'jobs.cancel' && (c.params as { jobId: string }).jobId === 'job-1'),
    ).toBe(true);
    act(() => api.finish('job-1', 'detect', board('virtual:good', '5c:cf:7f:00:00:01')));
    const card = await screen.findByRole('region', { name: 'Good board board' });
    expect(within(card).getByText('5c:cf:7f:00:00:01')).toBeTruthy();
    expect(within(card).getByText('virtual', { selector: '.badge' })).toBeTruthy();
    expect(within(card).getByText('4 MiB')).toBeTruthy();
    // Next is blocked until the bad board is detected too.
    expect(screen.getByRole<HTMLButtonElement>('button', { name: /Next: back up/ }).disabled).toBe(true);
  });

  it('one adapter for both boards: the same board detected twice is flagged, and the backup names the good board', async () => {
    const { api, store } = setup();
    const port = '/dev/ttyUSB0';
    const detected = (id: string, mac: string) => ({
      id,
      kind: 'detect' as const,
      port,
      state: 'done' as const,
      progress: null,
      startedAt: 0,
      result: board(port, mac),
    });
    // The user forgot to swap: the bad board's detect found the good board again.
    act(() =>
      store.setState((s) => ({
        jobs: { g: detected('g', '5c:cf:7f:00:00:01'), b: detected('b', '5c:cf:7f:00:00:01') },
        wizard: { ...s.wizard, port: { good: port, bad: port }, detectJob: { good: 'g', bad: 'b' } },
      })),
    );
    const alert = await screen.findByRole('alert', { name: 'Same board twice' });
    expect(within(alert).getByText(/Plug the other board in and detect it again/)).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: /Next: back up/ }).disabled).toBe(true);
    // Swapped and detected again: the backup is bound to the good board's MAC, so if the bad board is
    // still plugged in the host refuses it (WRONG_BOARD) instead of storing it as the good one.
    act(() => store.setState((s) => ({ jobs: { ...s.jobs, b: detected('b', '5c:cf:7f:00:00:02') } })));
    fireEvent.click(await screen.findByRole('button', { name: /Next: back up/ }));
    const step = await screen.findByRole('region', { name: 'Back up the good board' });
    expect(within(step).getByText(/Only the good board \(5c:cf:7f:00:00:01\) is read/)).toBeTruthy();
    fireEvent.click(within(step).getByRole('button', { name: 'Back up good board' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    expect(api.started[0]!.params).toEqual({ port, label: 'good board', mac: '5c:cf:7f:00:00:01' });
  });

  it('shows an error panel with the hint and a Retry that starts the job again', async () => {
    const { api } = setup();
    await pick(/Bad board port/, 'virtual:bad');
    fireEvent.click(screen.getByRole('button', { name: 'Detect bad board' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    act(() =>
      api.fail('job-1', 'detect', {
        code: 'PORT_BUSY',
        message: 'virtual:bad is held by another program',
        hint: 'Close the serial monitor, then press Retry.',
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(/Close the serial monitor/)).toBeTruthy();
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(api.started).toHaveLength(2));
  });

  it('shows the restore plan before anything is written, and writes exactly that plan on confirm', async () => {
    const { api, store } = setup();
    // Boards detected and a backup in the library: the restore step is open.
    store.setState((s) => ({
      jobs: {
        g: {
          id: 'g',
          kind: 'detect',
          port: 'virtual:good',
          state: 'done',
          progress: null,
          startedAt: 0,
          result: board('virtual:good', '5c:cf:7f:00:00:01'),
        },
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
        port: { good: 'virtual:good', bad: 'virtual:bad' },
        detectJob: { good: 'g', bad: 'b' },
      },
    }));
    await waitFor(() => expect(store.getState().library).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: /Restore to bad board/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Plan restore' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    expect(api.started[0]!.params).toEqual({
      port: 'virtual:bad',
      mac: '5c:cf:7f:00:00:02', // the detected bad board: another one on the port is refused
      image: entry.id,
      flashMode: 'keep',
      backup: true,
    });
    expect(screen.queryByRole('button', { name: /Confirm and write/ })).toBeNull();
    act(() => api.finish('job-1', 'plan-restore', plan));
    const shown = await screen.findByRole('region', { name: 'Restore plan' });
    expect(within(shown).getByText(/1 sector \(4 KiB\)/)).toBeTruthy();
    expect(within(shown).getByText(/backed up into the library first/)).toBeTruthy();
    expect(within(shown).getByText(/Kept as in the image \(dio\)/)).toBeTruthy();
    expect(within(shown).getByText('RF init data')).toBeTruthy();
    expect(within(shown).getByText(/inherits the donor WiFi/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm and write 1 sectors to virtual:bad' }));
    await waitFor(() => expect(api.started).toHaveLength(2));
    // The confirm carries the options on screen: the server refuses it if they are not the plan's.
    expect(api.started[1]).toEqual({
      jobId: 'job-2',
      kind: 'restore',
      params: {
        planId: 'plan-1',
        options: {
          port: 'virtual:bad',
          mac: '5c:cf:7f:00:00:02',
          image: entry.id,
          flashMode: 'keep',
          backup: true,
        },
      },
    });
  });

  it('MQTT step: live log with rc meanings inline, the broker view, and the verdict with diagnosis', async () => {
    const { api, store } = setup();
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
      wizard: { ...s.wizard, port: { good: null, bad: 'virtual:bad' }, detectJob: { good: null, bad: 'b' } },
    }));
    fireEvent.click(await screen.findByRole('button', { name: /MQTT check/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Run MQTT check' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    act(() => {
      api.emit({
        type: 'mqtt',
        jobId: 'job-1',
        event: {
          t: 1200,
          source: 'serial',
          text: 'Attempting MQTT connection...failed, rc=-2 try again in 5 seconds',
          rc: -2,
          meaning: 'MQTT_CONNECT_FAILED: the TCP connection never came up',
        },
      });
      api.emit({
        type: 'mqtt',
        jobId: 'job-1',
        event: { t: 1300, source: 'broker', text: 'CONNECT from 127.0.0.1 client id "flashback-probe"' },
      });
      api.finish('job-1', 'mqtt-check', failReport);
    });
    expect(await screen.findByText(/rc=-2: MQTT_CONNECT_FAILED/)).toBeTruthy();
    expect(
      within(screen.getByRole('region', { name: 'Broker view' })).getByText(/CONNECT from 127.0.0.1/),
    ).toBeTruthy();
    const verdict = screen.getByRole('status', { name: 'MQTT verdict' });
    expect(within(verdict).getByText('FAIL')).toBeTruthy();
    expect(within(verdict).getByText(/before the restore/)).toBeTruthy();
    expect(within(verdict).getByText('Board side: RF init data blank')).toBeTruthy();
    expect(within(verdict).getByText(/Restore the RF init data sector/)).toBeTruthy();
  });

  it('moves between tabs with the arrow keys', async () => {
    setup();
    const wizardTab = screen.getByRole('tab', { name: 'Rescue wizard' });
    fireEvent.keyDown(wizardTab, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Flash firmware' }).getAttribute('aria-selected')).toBe('true');
    expect(await screen.findByRole('heading', { name: 'Flash firmware' })).toBeTruthy();
    fireEvent.keyDown(screen.getByRole('tab', { name: 'Flash firmware' }), { key: 'ArrowRight' });
    expect(await screen.findByRole('heading', { name: 'Compare' })).toBeTruthy();
  });
});

/** Boards detected, a backup in the library, the wizard on the restore step. */
function atRestoreStep(store: AppStore) {
  store.setState((s) => ({
    jobs: {
      g: {
        id: 'g',
        kind: 'detect',
        port: 'virtual:good',
        state: 'done',
        progress: null,
        startedAt: 0,
        result: board('virtual:good', '5c:cf:7f:00:00:01'),
      },
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
      detectJob: { good: 'g', bad: 'b' },
    },
  }));
}

describe('a plan is a contract (UI)', () => {
  it('changing an option after planning removes the confirm button until the restore is planned again', async () => {
    const { api, store } = setup();
    atRestoreStep(store);
    await waitFor(() => expect(store.getState().library).toHaveLength(1));
    fireEvent.click(await screen.findByRole('button', { name: 'Plan restore' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    act(() => api.finish('job-1', 'plan-restore', plan));
    expect(await screen.findByRole('button', { name: /Confirm and write/ })).toBeTruthy();

    fireEvent.click(screen.getByLabelText(/Keep the bad board's own WiFi settings/));
    expect(screen.queryByRole('button', { name: /Confirm and write/ })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Restore plan' })).toBeNull();
    expect(screen.getByText(/You changed an option after this plan was made/)).toBeTruthy();
    // Unticking brings the same plan back: it was made with exactly these options.
    fireEvent.click(screen.getByLabelText(/Keep the bad board's own WiFi settings/));
    expect(await screen.findByRole('button', { name: /Confirm and write/ })).toBeTruthy();

    fireEvent.click(screen.getByLabelText(/Keep the bad board's own WiFi settings/));
    fireEvent.click(screen.getByRole('button', { name: 'Plan restore' }));
    await waitFor(() => expect(api.started).toHaveLength(2));
    const options = {
      port: 'virtual:bad',
      mac: '5c:cf:7f:00:00:02', // the detected bad board: another one on the port is refused
      image: entry.id,
      flashMode: 'keep',
      backup: true,
      preserve: ['sdk-config'],
    };
    expect(api.started[1]!.params).toEqual(options);
    act(() =>
      api.finish('job-2', 'plan-restore', {
        ...plan,
        planId: 'plan-2',
        preserve: ['sdk-config'],
        writeSectors: [],
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: /Confirm and write 0 sectors/ }));
    await waitFor(() => expect(api.started).toHaveLength(3));
    expect(api.started[2]!.params).toEqual({ planId: 'plan-2', options });
  });
});

describe('interrupted is a state', () => {
  it('a restore stopped mid-write shows "half written: N of M" with Resume and Undo, each planned first', async () => {
    const { api, store } = setup();
    atRestoreStep(store);
    await waitFor(() => expect(store.getState().library).toHaveLength(1));
    fireEvent.click(await screen.findByRole('button', { name: 'Plan restore' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    act(() => api.finish('job-1', 'plan-restore', { ...plan, writeSectors: [1020, 1021, 1022] }));
    fireEvent.click(await screen.findByRole('button', { name: /Confirm and write 3 sectors/ }));
    await waitFor(() => expect(api.started).toHaveLength(2));
    const backupId = 'c'.repeat(64);
    act(() =>
      api.emit({
        type: 'job',
        job: {
          id: 'job-2',
          kind: 'restore',
          port: 'virtual:bad',
          state: 'cancelled',
          progress: null,
          startedAt: 0,
          error: { code: 'ABORTED', message: 'Restore interrupted: Restore was cancelled', hint: 'x' },
          interrupted: { written: 2, planned: 3, backupId },
        },
      }),
    );
    const panel = await screen.findByRole('alert', { name: 'Restore interrupted' });
    expect(within(panel).getByText('Half written: 2 of 3 sectors')).toBeTruthy();
    expect(screen.queryByText(/Restore cancelled/)).toBeNull();
    // The jobs panel says it too.
    expect(
      within(screen.getByRole('table', { name: 'Jobs' })).getByText('half written: 2 of 3 sectors'),
    ).toBeTruthy();

    fireEvent.click(within(panel).getByRole('button', { name: /Resume/ }));
    await waitFor(() => expect(api.started).toHaveLength(3));
    expect(api.started[2]).toMatchObject({
      kind: 'plan-restore',
      params: { port: 'virtual:bad', image: entry.id, resume: true },
    });

    // Back to the interrupted job: Undo plans putting the board's own backup back.
    act(() => store.getState().setWizardJob('restoreJob', 'job-2'));
    fireEvent.click(
      within(await screen.findByRole('alert', { name: 'Restore interrupted' })).getByRole('button', {
        name: /Undo/,
      }),
    );
    await waitFor(() => expect(api.started).toHaveLength(4));
    expect(api.started[3]).toMatchObject({
      kind: 'plan-restore',
      params: { port: 'virtual:bad', image: backupId, backup: false, flashMode: 'keep' },
    });
    expect((api.started[3]!.params as { preserve?: unknown }).preserve).toBeUndefined();
  });
});

describe('reload', () => {
  it('reattaches: the wizard comes back on its step and the running restore shows with progress and Cancel', async () => {
    const storage = new Map<string, string>();
    const session = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
    };
    const running: JobSnapshot = {
      id: 'job-7',
      kind: 'restore',
      port: 'virtual:bad',
      state: 'running',
      progress: { phase: 'write', done: 40, total: 100, bytesPerSec: 10_000, etaSec: 6 },
      startedAt: 1,
    };
    // First page: the user got to the restore step and confirmed.
    {
      const api = createFakeClient({ 'ports.list': () => demoPorts, 'library.list': () => [entry] });
      const store = createAppStore();
      persistWizard(store, session);
      render(<App api={api} store={store} />);
      atRestoreStep(store);
      act(() => store.getState().setWizardJob('restoreJob', 'job-7'));
      cleanup();
    }
    // Reload: a new store and connection; the service still runs the job.
    const api = createFakeClient({
      'ports.list': () => demoPorts,
      'library.list': () => [entry],
      'jobs.list': () => [
        running,
        ...(['g', 'b'] as const).map((id) => ({
          id,
          kind: 'detect' as const,
          port: id === 'g' ? 'virtual:good' : 'virtual:bad',
          state: 'done' as const,
          progress: null,
          startedAt: 0,
          result: board(
            id === 'g' ? 'virtual:good' : 'virtual:bad',
            '5c:cf:7f:00:00:0' + (id === 'g' ? '1' : '2'),
          ),
        })),
      ],
    });
    const store = createAppStore();
    persistWizard(store, session);
    render(<App api={api} store={store} />);
    expect(await screen.findByRole('heading', { name: 'Restore to the bad board' })).toBeTruthy();
    const bar = await screen.findByRole('progressbar', { name: 'Restore progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('40');
    const jobs = screen.getByRole('table', { name: 'Jobs' });
    expect(within(jobs).getByText('write 40 %')).toBeTruthy();
    fireEvent.click(within(jobs).getByRole('button', { name: 'Cancel Restore on virtual:bad' }));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'jobs.cancel')).toBe(true));
    expect(api.calls.find((c) => c.method === 'jobs.cancel')!.params).toEqual({ jobId: 'job-7' });
  });
});
