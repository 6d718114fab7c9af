// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/App.js';
import { createFakeClient } from '../../renderer/api/fake-client.js';
import { createAppStore } from '../../renderer/store/index.js';
import { compareResult, demoPorts, entry } from './fixtures.js';

afterEach(cleanup);

describe('compare view', () => {
  it('compares the demo boards and makes the difference obvious: summary, highlighted fields, map, regions', async () => {
    const api = createFakeClient({ 'ports.list': () => demoPorts });
    const { container } = render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    const button = await screen.findByRole('button', { name: 'Compare A and B' });
    fireEvent.click(button);
    await waitFor(() => expect(api.started).toHaveLength(1));
    expect(api.started[0]).toMatchObject({
      kind: 'compare',
      params: { a: 'virtual:good', b: 'virtual:bad' },
    });
    act(() => api.finish('job-1', 'compare', compareResult()));
    expect(await screen.findByText('Only the RF init data sector differs: blank on B.')).toBeTruthy();
    const fields = screen.getByRole('table', { name: 'Side by side' });
    const diffRows = within(fields)
      .getAllByRole('row')
      .filter((r) => r.classList.contains('row-diff'));
    expect(diffRows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual([
      'RF init data (differs)',
    ]);
    const map = screen.getByRole('img', { name: /1024 sectors of 4 KiB, 1 differ/ });
    const cells = map.querySelectorAll('.cell');
    expect(cells).toHaveLength(1024);
    const odd = container.querySelectorAll('.sector-map .s-b-blank');
    expect(odd).toHaveLength(1);
    expect(odd[0]!.getAttribute('title')).toBe('0x3FC000 (sector 1020) — RF init data — blank on B only');
    fireEvent.mouseEnter(odd[0]!);
    expect(
      screen.getByText('0x3FC000 (sector 1020) — RF init data — blank on B only', {
        selector: '.hover-info',
      }),
    ).toBeTruthy();
    const regions = screen.getByRole('table', { name: 'Regions' });
    const flagged = within(regions)
      .getAllByRole('row')
      .filter((r) => r.classList.contains('row-diff'));
    expect(flagged).toHaveLength(1);
    expect(within(flagged[0]!).getByText('1 differ')).toBeTruthy();
  });

  it('keeps each pane in its own store: switching side B to a library backup leaves side A alone', async () => {
    const api = createFakeClient({ 'ports.list': () => demoPorts, 'library.list': () => [entry] });
    render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    const sideB = await screen.findByRole('group', { name: 'Side B' });
    fireEvent.click(within(sideB).getByLabelText('Library backup'));
    const sel = within(sideB).getByLabelText<HTMLSelectElement>('Side B backup');
    await waitFor(() => expect(sel.querySelector(`option[value="${entry.id}"]`)).not.toBeNull());
    fireEvent.change(sel, { target: { value: entry.id } });
    fireEvent.click(screen.getByRole('button', { name: 'Compare A and B' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    expect(api.started[0]!.params).toEqual({ a: 'virtual:good', b: entry.id });
  });
});

describe('image files come in by upload, never by path', () => {
  it('side B "Image file" uploads the chosen File and compares by its upload id', async () => {
    const api = createFakeClient({ 'ports.list': () => demoPorts });
    render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    const sideB = await screen.findByRole('group', { name: 'Side B' });
    fireEvent.click(within(sideB).getByLabelText('Image file'));
    const input = within(sideB).getByLabelText<HTMLInputElement>('Side B image file');
    // No text box for a path: the only way in is a file chooser.
    expect(input.type).toBe('file');
    const file = new File([new Uint8Array(4096)], 'dump.bin', { type: 'application/octet-stream' });
    fireEvent.change(input, { target: { files: [file] } });
    expect(await within(sideB).findByText('dump.bin (4 KiB)')).toBeTruthy();
    expect(api.uploads).toEqual(['dump.bin']);
    fireEvent.click(screen.getByRole('button', { name: 'Compare A and B' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    expect(api.started[0]!.params).toEqual({ a: 'virtual:good', b: `upload:${'1'.padStart(16, '0')}` });
  });
});

describe('library view', () => {
  it('lists backups with label, board, size, hash and credentials flag; renames, exports scrubbed, deletes', async () => {
    let entries = [entry];
    const api = createFakeClient({
      'library.list': () => entries,
      'library.rename': (p) => (entries = [{ ...entry, label: p.label }])[0]!,
      'library.export': () => ({
        download: { id: 'dl-1', name: 'good_board-scrubbed.bin', size: 4 << 20 },
        scrubbed: true,
        report: {
          blanked: [0x3fd000],
          findings: [
            {
              offset: 0x20601a,
              length: 14,
              kind: 'json',
              severity: 'secret' as const,
              key: 'pass',
              masked: 'h************ (14 chars)',
              region: 'littlefs',
              hint: 'This image still contains what looks like a password at 0x20601A (JSON "pass", in littlefs); do not share it publicly.',
            },
          ],
        },
      }),
      'library.remove': () => ((entries = []), { removed: true }),
    });
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Library' }));
    const table = await screen.findByRole('table', { name: 'Backups' });
    expect(within(table).getByText('good board')).toBeTruthy();
    expect(within(table).getByText('4 MiB')).toBeTruthy();
    expect(within(table).getByText('aaaaaaaaaaaa')).toBeTruthy();
    expect(within(table).getByText('WiFi credentials (HomeNet)')).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'Details' }));
    expect(within(table).getByText('b'.repeat(32))).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'Rename' }));
    const input = within(table).getByLabelText('New label for good board');
    fireEvent.change(input, { target: { value: 'kitchen sensor' } });
    fireEvent.click(within(table).getByRole('button', { name: 'Save' }));
    expect(await within(table).findByText('kitchen sensor')).toBeTruthy();
    fireEvent.click(within(table).getByRole('button', { name: 'Export (scrubbed)' }));
    // The export goes out as a download (browser) / save dialog (Electron), never to a typed path.
    expect(
      await screen.findByText(/Exported good_board-scrubbed.bin with WiFi credentials removed/),
    ).toBeTruthy();
    // What the scrub could not remove is shown with the download, masked.
    const left = screen.getByRole('alert', { name: 'Not removed by the scrub' });
    expect(within(left).getByText(/looks like a password at 0x20601A/)).toBeTruthy();
    expect(within(left).getByText(/h\*+ \(14 chars\)/)).toBeTruthy();
    expect(api.downloads).toEqual([{ id: 'dl-1', name: 'good_board-scrubbed.bin', size: 4 << 20 }]);
    expect(api.calls.find((c) => c.method === 'library.export')!.params).toEqual({
      id: entry.id,
      scrub: true,
    });
    fireEvent.click(within(table).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText(/No backups yet/)).toBeTruthy();
  });
});
