// @vitest-environment jsdom
/** The Flash-firmware view against the fake API: files in, recognised, placed, planned, written, verified, erased. */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadFromPage } from '../../app/files.js';
import { type FileInfo, MAX_UPLOAD_BYTES, type WritePlanView } from '../../main/workbench/api.js';
import { Transfers } from '../../main/workbench/transfers.js';
import { App } from '../../renderer/App.js';
import { createElectronClient } from '../../renderer/api/electron-bridge.js';
import { createFakeClient } from '../../renderer/api/fake-client.js';
import { createAppStore } from '../../renderer/store/index.js';
import { board, demoPorts, entry } from './fixtures.js';

afterEach(cleanup);

const MB4 = 4 << 20;
const kinds: Record<string, FileInfo> = {
  'sketch.bin': {
    kind: 'arduino',
    firmware: 'arduino',
    description: 'Arduino sketch (eboot + app)',
    headerFlashSize: MB4,
    slot: null,
    evidence: ['eboot at 0x0'],
  },
  'esp_init_data_default_v08.bin': {
    kind: 'rf-init-data',
    firmware: 'unknown',
    description: 'Espressif esp_init_data_default v08',
    headerFlashSize: null,
    slot: null,
    evidence: ['sha256 of Espressif v08'],
  },
  'read_flash 2019.bin': {
    kind: 'full-dump',
    firmware: 'arduino',
    description: 'Whole-flash dump (4 MB, Arduino)',
    headerFlashSize: MB4,
    slot: null,
    evidence: [],
  },
  'notes.bin': {
    kind: 'raw',
    firmware: 'unknown',
    description: 'Raw data',
    headerFlashSize: null,
    slot: null,
    evidence: [],
  },
};

function planFor(files: { address: number; file: string }[]): WritePlanView {
  return {
    planId: 'wplan-1',
    port: 'virtual:bad',
    target: board('virtual:bad', '5c:cf:7f:00:00:02'),
    files: files.map((f, i) => ({
      address: f.address,
      name: i === 0 ? 'sketch.bin' : 'esp_init_data_default_v08.bin',
      size: 4096,
      identity: i === 0 ? kinds['sketch.bin']! : kinds['esp_init_data_default_v08.bin']!,
      headerPatched: false,
      headerNote: null,
    })),
    warnings: [
      {
        code: 'INIT_DATA_ON_ARDUINO',
        address: 0x3fc000,
        message: 'An Arduino build keeps its PHY data in the firmware: 0x3FC000 is RF calibration.',
      },
    ],
    backupFirst: true,
    writeSectors: [0, 1, 1020],
    skipSectors: 1021,
  };
}

function setup() {
  const names = new Map<string, string>();
  const api = createFakeClient({
    'ports.list': () => demoPorts,
    'library.list': () => [entry],
    'files.identify': ({ file }) => {
      const name = names.get(file) ?? '';
      return { ...kinds[name]!, name, size: 4096 };
    },
    'library.import': ({ label }) => ({ ...entry, label: label ?? 'x' }),
  });
  const openFile = api.openFile.bind(api);
  api.openFile = async (file) => {
    const r = await openFile(file);
    if (r.ok && r.value) names.set(r.value.id, r.value.name);
    return r;
  };
  const store = createAppStore();
  render(<App api={api} store={store} />);
  fireEvent.click(screen.getByRole('tab', { name: 'Flash firmware' }));
  return { api, store };
}

const file = (name: string) => new File([new Uint8Array(4096)], name);

async function dropFiles(names: string[], total = names.length) {
  const zone = screen.getByRole('group', { name: 'Firmware files' });
  fireEvent.drop(zone, { dataTransfer: { files: names.map(file) } });
  const list = await screen.findByRole('list', { name: 'Files to write' });
  await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(total));
  return list;
}

async function pickBoard(api: ReturnType<typeof setup>['api']) {
  const select = screen.getByLabelText('Board port');
  await waitFor(() => expect(select.querySelector('option[value="virtual:bad"]')).not.toBeNull());
  fireEvent.change(select, { target: { value: 'virtual:bad' } });
  fireEvent.click(screen.getByRole('button', { name: 'Detect the board' }));
  await waitFor(() => expect(api.started.at(-1)?.kind).toBe('detect'));
  act(() => api.finish(api.started.at(-1)!.jobId, 'detect', board('virtual:bad', '5c:cf:7f:00:00:02')));
}

const addressOf = (list: HTMLElement, name: string) =>
  (within(within(list).getByRole('listitem', { name })).getByLabelText('Address') as HTMLInputElement).value;

describe('Flash firmware view', () => {
  it('recognises dropped files and places them by what they are and the chip size', async () => {
    const { api } = setup();
    const list = await dropFiles(['sketch.bin', 'esp_init_data_default_v08.bin']);
    expect(api.uploads).toEqual(['sketch.bin', 'esp_init_data_default_v08.bin']);
    expect(await within(list).findByText('Arduino sketch (eboot + app)')).toBeTruthy();
    expect(await within(list).findByText('Espressif esp_init_data_default v08')).toBeTruthy();
    expect(addressOf(list, 'sketch.bin')).toBe('0x0');
    // Init data goes at S − 0x4000: unknown until the board is detected.
    expect(addressOf(list, 'esp_init_data_default_v08.bin')).toBe('');
    expect((screen.getByRole('button', { name: 'Plan the write' }) as HTMLButtonElement).disabled).toBe(true);
    await pickBoard(api);
    await waitFor(() => expect(addressOf(list, 'esp_init_data_default_v08.bin')).toBe('0x3FC000'));
  });

  it('a file dropped anywhere on the view is taken; one dropped elsewhere does not replace the page', async () => {
    const { api } = setup();
    const heading = screen.getByRole('heading', { name: 'Flash firmware' });
    fireEvent.drop(heading, { dataTransfer: { files: [file('sketch.bin')] } });
    const list = await screen.findByRole('list', { name: 'Files to write' });
    await within(list).findByRole('listitem', { name: 'sketch.bin' });
    // On another view: the drop is refused (default prevented: no navigation to the file), nothing uploaded.
    fireEvent.click(screen.getByRole('tab', { name: 'Library' }));
    const notCancelled = fireEvent.drop(screen.getByRole('tabpanel'), {
      dataTransfer: { files: [file('notes.bin')] },
    });
    expect(notCancelled).toBe(false);
    expect(api.uploads).toEqual(['sketch.bin']);
  });

  it('presets and typed addresses; a bad address is explained and blocks the plan', async () => {
    const { api } = setup();
    await pickBoard(api);
    const list = await dropFiles(['notes.bin']);
    const row = within(list).getByRole('listitem', { name: 'notes.bin' });
    await within(row).findByText('Raw data');
    fireEvent.change(within(row).getByLabelText('Layout preset for notes.bin'), { target: { value: 'sys' } });
    expect(addressOf(list, 'notes.bin')).toBe('0x3FE000');
    fireEvent.change(within(row).getByLabelText('Address'), { target: { value: '0x1001' } });
    expect(within(row).getByRole('alert').textContent).toMatch(/multiple of 4/);
    expect((screen.getByRole('button', { name: 'Plan the write' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(row).getByLabelText('Address'), { target: { value: '0x1000' } });
    expect((screen.getByRole('button', { name: 'Plan the write' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('plans, shows kinds and warnings, writes exactly the confirmed plan and shows the verdict', async () => {
    const { api } = setup();
    await pickBoard(api);
    const list = await dropFiles(['sketch.bin', 'esp_init_data_default_v08.bin']);
    await waitFor(() => expect(addressOf(list, 'esp_init_data_default_v08.bin')).toBe('0x3FC000'));
    fireEvent.click(screen.getByRole('button', { name: 'Plan the write' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('plan-write'));
    const planStart = api.started.at(-1)!;
    const options = planStart.params as { port: string; files: { address: number; file: string }[] };
    expect(options).toEqual({
      port: 'virtual:bad',
      files: [
        { address: 0, file: 'upload:0000000000000001' },
        { address: 0x3fc000, file: 'upload:0000000000000002' },
      ],
    });
    act(() => api.finish(planStart.jobId, 'plan-write', planFor(options.files)));
    const plan = await screen.findByRole('region', { name: 'Write plan' });
    expect(within(plan).getByText('Arduino sketch (eboot + app)')).toBeTruthy();
    expect(within(plan).getByRole('list', { name: 'Warnings' }).textContent).toMatch(/RF calibration/);
    expect(within(plan).getByText(/3 sectors/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Write 3 sectors' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('write'));
    expect(api.started.at(-1)!.params).toEqual({ planId: 'wplan-1', options });
    act(() =>
      api.finish(api.started.at(-1)!.jobId, 'write', {
        written: { sectors: 3, bytes: 12288 },
        skippedSectors: 1021,
        verified: true,
        seconds: 2,
        backupId: 'c'.repeat(64),
      }),
    );
    const verdict = await screen.findByRole('status', { name: 'Write result' });
    expect(verdict.textContent).toMatch(/Written and verified/);
    expect(verdict.textContent).toMatch(/cccccccccccc/);
  });

  it('changing an option after planning drops the plan (no stale Write button)', async () => {
    const { api } = setup();
    await pickBoard(api);
    await dropFiles(['sketch.bin']);
    await screen.findByText('Arduino sketch (eboot + app)');
    fireEvent.click(screen.getByRole('button', { name: 'Plan the write' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('plan-write'));
    act(() => api.finish(api.started.at(-1)!.jobId, 'plan-write', planFor([{ address: 0, file: 'x' }])));
    await screen.findByRole('region', { name: 'Write plan' });
    fireEvent.change(screen.getByLabelText('Flash mode in the header at 0x0'), { target: { value: 'dout' } });
    expect(screen.queryByRole('region', { name: 'Write plan' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Write / })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Plan the write' }));
    await waitFor(() => expect(api.started.at(-1)?.params).toMatchObject({ flashMode: 'dout' }));
  });

  it("verify sends the write's header options, so a file written with a patched header is compared as written", async () => {
    const { api } = setup();
    await pickBoard(api);
    const list = await dropFiles(['sketch.bin', 'esp_init_data_default_v08.bin']);
    await waitFor(() => expect(addressOf(list, 'esp_init_data_default_v08.bin')).toBe('0x3FC000'));
    fireEvent.change(screen.getByLabelText('Flash mode in the header at 0x0'), { target: { value: 'dout' } });
    fireEvent.change(screen.getByLabelText('Flash size in the header'), { target: { value: 'detect' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify the files on the board' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('verify-files'));
    expect(api.started.at(-1)!.params).toEqual({
      port: 'virtual:bad',
      files: [
        { address: 0, file: 'upload:0000000000000001' },
        { address: 0x3fc000, file: 'upload:0000000000000002' },
      ],
      flashMode: 'dout',
      flashSize: 'detect',
    });
    act(() =>
      api.finish(api.started.at(-1)!.jobId, 'verify-files', {
        verified: true,
        files: [
          {
            address: 0,
            name: 'sketch.bin',
            verified: true,
            diffSectors: [],
            headerNote: 'header bytes 2–3 rewritten',
          },
          { address: 0x3fc000, name: 'esp_init_data_default_v08.bin', verified: true, diffSectors: [] },
        ],
        seconds: 1,
      }),
    );
    const verdict = await screen.findByRole('status', { name: 'Verify result' });
    expect(verdict.textContent).toMatch(/0x000000 sketch\.bin: matches — header bytes 2–3 rewritten/);
    expect(verdict.textContent).toMatch(/0x3FC000 esp_init_data_default_v08\.bin: matches$/);
  });

  it('verifies the files, erases a region only after the tick, and adds a file to the library', async () => {
    const { api } = setup();
    await pickBoard(api);
    const list = await dropFiles(['sketch.bin']);
    await screen.findByText('Arduino sketch (eboot + app)');
    fireEvent.click(screen.getByRole('button', { name: 'Verify the files on the board' }));
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('verify-files'));
    act(() =>
      api.finish(api.started.at(-1)!.jobId, 'verify-files', {
        verified: false,
        files: [{ address: 0, name: 'sketch.bin', verified: false, diffSectors: [0x2000] }],
        seconds: 1,
      }),
    );
    expect((await screen.findByRole('status', { name: 'Verify result' })).textContent).toMatch(
      /differs in 1 sector from 0x002000/,
    );

    fireEvent.change(screen.getByLabelText('Start'), { target: { value: '0x3FC000' } });
    const erase = screen.getByRole('button', { name: 'Erase the region' }) as HTMLButtonElement;
    expect(erase.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText(/I have a backup/));
    expect(erase.disabled).toBe(false);
    fireEvent.click(erase);
    await waitFor(() => expect(api.started.at(-1)?.kind).toBe('erase'));
    expect(api.started.at(-1)!.params).toEqual({ port: 'virtual:bad', offset: 0x3fc000, size: 0x1000 });
    fireEvent.click(screen.getByLabelText('The whole chip'));
    fireEvent.click(screen.getByLabelText(/I have a backup/));
    fireEvent.click(screen.getByRole('button', { name: 'Erase the whole chip' }));
    await waitFor(() => expect(api.started.at(-1)?.params).toEqual({ port: 'virtual:bad' }));

    // Only a whole-flash dump can join the library of backups.
    expect(within(list).queryByRole('button', { name: 'Add to the library' })).toBeNull();
    const list2 = await dropFiles(['read_flash 2019.bin'], 2);
    const dump = within(list2).getByRole('listitem', { name: 'read_flash 2019.bin' });
    fireEvent.click(await within(dump).findByRole('button', { name: 'Add to the library' }));
    await within(dump).findByText(/Added to the library as “read_flash 2019.bin”/);
    expect(api.calls.find((c) => c.method === 'library.import')?.params).toEqual({
      file: 'upload:0000000000000002',
      label: 'read_flash 2019.bin',
    });
  });
});

describe('Flash firmware view in the Electron shell', () => {
  /**
   * The real Electron client over a preload stand-in whose upload goes through the main process's real
   * check and store (app/files.ts, main/workbench/transfers.ts); its dialog only counts that it opened.
   */
  function electronSetup() {
    const transfers = new Transfers(mkdtempSync(path.join(os.tmpdir(), 'fb-electron-drop-')));
    const names = new Map<string, string>();
    const ids: string[] = [];
    const fake = createFakeClient({
      'ports.list': () => demoPorts,
      'files.identify': ({ file }) => ({ ...kinds[names.get(file) ?? '']!, name: '', size: 4096 }),
    });
    let dialogs = 0;
    const api = createElectronClient({
      invoke: (method, params) => fake.call(method, params as never),
      onEvent: (l) => fake.subscribe(l),
      openFile: async () => {
        dialogs++;
        return { ok: true, value: null };
      },
      saveFile: async () => ({ ok: true, value: { saved: false } }),
      uploadFile: async (name, bytes) => {
        const r = await uploadFromPage(transfers, { name, bytes });
        if (r.ok) names.set(r.value.id, r.value.name);
        if (r.ok) ids.push(r.value.id);
        return r;
      },
    });
    render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Flash firmware' }));
    return { transfers, ids, dialogs: () => dialogs };
  }

  it('a dropped .bin is uploaded with its own bytes; the file dialog does not open', async () => {
    const { transfers, ids, dialogs } = electronSetup();
    const sketch = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
    const zone = screen.getByRole('group', { name: 'Firmware files' });
    fireEvent.drop(zone, { dataTransfer: { files: [new File([sketch], 'sketch.bin')] } });
    const list = await screen.findByRole('list', { name: 'Files to write' });
    const row = await within(list).findByRole('listitem', { name: 'sketch.bin' });
    expect(await within(row).findByText('Arduino sketch (eboot + app)')).toBeTruthy();
    expect(dialogs()).toBe(0);
    // What the main process stored is the dropped file, byte for byte.
    expect(ids).toHaveLength(1);
    expect(readFileSync(transfers.uploadFile(ids[0]!))).toEqual(Buffer.from(sketch));
    // The button still opens the shell's dialog.
    fireEvent.click(screen.getByRole('button', { name: 'Choose files…' }));
    await waitFor(() => expect(dialogs()).toBe(1));
  });

  it('a dropped file over the limit is refused before it is read; the others still come in', async () => {
    const { dialogs } = electronSetup();
    // Not a real Blob: reading it would throw, so the refusal must come from its size alone.
    const huge = { name: 'whole-disk.img', size: MAX_UPLOAD_BYTES + 1 };
    const zone = screen.getByRole('group', { name: 'Firmware files' });
    fireEvent.drop(zone, { dataTransfer: { files: [huge, new File([new Uint8Array(4096)], 'notes.bin')] } });
    const list = await screen.findByRole('list', { name: 'Files to write' });
    await within(list).findByRole('listitem', { name: 'notes.bin' });
    expect(within(list).queryByRole('listitem', { name: 'whole-disk.img' })).toBeNull();
    expect((await screen.findByText(/The file is 16842753 bytes/)).textContent).toMatch(/largest/);
    expect(dialogs()).toBe(0);
  });
});
