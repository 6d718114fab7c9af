// @vitest-environment jsdom
/** The library view shows a damaged backup (never hides it) with a badge and the command that fixes it. */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../renderer/App.js';
import { createFakeClient } from '../../renderer/api/fake-client.js';
import { createAppStore } from '../../renderer/store/index.js';
import type { LibraryEntry } from '../../main/workbench/api.js';
import { entry } from './fixtures.js';

afterEach(cleanup);

describe('library view: damaged entries', () => {
  it('badges a corrupt and a metadata-missing entry with their next step; no export for them', async () => {
    const truncated = {
      ...entry,
      id: 'c'.repeat(64),
      sha256: 'c'.repeat(64),
      label: 'old kitchen',
      damaged: {
        kind: 'corrupt' as const,
        problem: 'it is 1000 bytes, expected 4194304 (truncated)',
        next: 'flashback library rm cccccccccccc, then back the board up again',
        fix: 'rm' as const,
      },
    };
    const orphan = {
      ...entry,
      id: 'd'.repeat(64),
      sha256: 'd'.repeat(64),
      label: 'image dddddddddddd',
      created: '',
      damaged: {
        kind: 'metadata-missing' as const,
        problem: 'its metadata file is missing; the image is intact (its sha256 matches)',
        next: 'flashback library repair dddddddddddd',
        fix: 'repair' as const,
      },
    };
    let list: LibraryEntry[] = [entry, truncated, orphan];
    const repaired = { ...entry, id: orphan.id, sha256: orphan.sha256, label: 'recovered dddddddddddd' };
    const api = createFakeClient({
      'library.list': () => list,
      'library.repair': () => ((list = [entry, truncated, repaired]), repaired),
    });
    render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Library' }));
    const table = await screen.findByRole('table', { name: 'Backups' });
    const row = (label: string) => within(table).getByText(label).closest('tr')!;
    expect(within(row('old kitchen')).getByText('corrupt')).toBeTruthy();
    expect(within(row('old kitchen')).getByText(truncated.damaged.next)).toBeTruthy();
    expect(within(row('old kitchen')).queryByRole('button', { name: 'Export (scrubbed)' })).toBeNull();
    expect(within(row('image dddddddddddd')).getByText('metadata missing')).toBeTruthy();
    expect(within(row('image dddddddddddd')).getByText('flashback library repair dddddddddddd')).toBeTruthy();
    expect(within(row('image dddddddddddd')).getByText('unknown')).toBeTruthy(); // no date without metadata
    expect(within(row('good board')).queryByText('corrupt')).toBeNull();
    expect(within(row('good board')).getByRole('button', { name: 'Export (scrubbed)' })).toBeTruthy();
    // Repair is offered only where the image is intact; a corrupt image is only deleted.
    expect(within(row('old kitchen')).queryByRole('button', { name: 'Repair' })).toBeNull();
    expect(within(row('old kitchen')).getByRole('button', { name: 'Delete' })).toBeTruthy();
    fireEvent.click(within(row('image dddddddddddd')).getByRole('button', { name: 'Repair' }));
    expect(await screen.findByText(/Rebuilt the metadata of "recovered dddddddddddd"/)).toBeTruthy();
    expect(api.calls.find((c) => c.method === 'library.repair')!.params).toEqual({ id: orphan.id });
    expect(within(row('recovered dddddddddddd')).queryByText('metadata missing')).toBeNull();
  });
});
