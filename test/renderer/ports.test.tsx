// @vitest-environment jsdom
/** The port picker: every port by its path, Refresh, and a typed socket:// / rfc2217:// port. */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PortInfo } from '../../main/workbench/api.js';
import { App } from '../../renderer/App.js';
import { CallError } from '../../renderer/api/context.js';
import { createFakeClient } from '../../renderer/api/fake-client.js';
import { createAppStore } from '../../renderer/store/index.js';
import { demoPorts } from './fixtures.js';

afterEach(cleanup);

const ch340: PortInfo = {
  path: '/dev/ttyUSB0',
  bridge: 'CH340',
  vendorId: '1a86',
  productId: '7523',
  virtual: false,
  label: 'CH340 USB-serial (1a86:7523)',
};
const builtin: PortInfo = { path: '/dev/ttyS0', bridge: 'unknown', virtual: false, label: '' };
const cp2102: PortInfo = { ...ch340, path: '/dev/ttyUSB1', bridge: 'CP210x', label: 'CP210x USB-serial' };

function setup(lists: PortInfo[][]) {
  let n = 0;
  const added: PortInfo[] = [];
  const list = () => [...lists[Math.min(n++, lists.length - 1)]!, ...added];
  const api = createFakeClient({
    'ports.list': list,
    'ports.add': ({ port }) => {
      if (!/^rfc2217:\/\/[^:]+:\d+$/.test(port.trim()))
        throw new CallError({
          code: 'BAD_PORT_SPEC',
          message: `Bad port "${port}": expected rfc2217://HOST:PORT`,
          hint: 'Give a port as e.g. rfc2217://192.168.1.5:2217.',
        });
      const path = port.trim();
      added.push({ path, bridge: 'rfc2217', virtual: false, label: `${path} (added by you)` });
      return { port: path, ports: list() };
    },
  });
  render(<App api={api} store={createAppStore()} />);
  return api;
}

const options = (select: HTMLElement, group: string) =>
  within(within(select).getByRole('group', { name: group }))
    .getAllByRole('option')
    .map((o) => o.textContent);

describe('port picker', () => {
  it('shows every port by its path; a port without a USB id is not "unknown"', async () => {
    setup([[ch340, builtin, ...demoPorts]]);
    const select = screen.getByLabelText('Good board port');
    await waitFor(() => expect(options(select, 'USB serial ports')).toHaveLength(1));
    expect(options(select, 'USB serial ports')).toEqual(['/dev/ttyUSB0 — CH340 USB-serial (1a86:7523)']);
    expect(options(select, 'Other serial ports (no USB id)')).toEqual([
      '/dev/ttyS0 — serial port (no USB id)',
    ]);
    expect(select.textContent).not.toMatch(/unknown/);
  });

  it('Refresh lists the ports again and shows one plugged in since', async () => {
    const api = setup([[ch340], [ch340, cp2102]]);
    const select = screen.getByLabelText('Good board port');
    await waitFor(() => expect(options(select, 'USB serial ports')).toHaveLength(1));
    fireEvent.click(screen.getAllByRole('button', { name: 'Refresh ports' })[0]!);
    await waitFor(() => expect(options(select, 'USB serial ports')).toHaveLength(2));
    expect(options(select, 'USB serial ports')[1]).toBe('/dev/ttyUSB1 — CP210x USB-serial');
    expect(api.calls.filter((c) => c.method === 'ports.list')).toHaveLength(2);
  });

  it('a typed rfc2217:// port is checked, chosen, explained and used for Detect', async () => {
    const api = setup([demoPorts]);
    const [typed] = screen.getAllByLabelText('Or type a port');
    fireEvent.change(typed!, { target: { value: ' rfc2217://10.0.0.7:2217' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Use this port' })[0]!);
    const select = screen.getByLabelText<HTMLSelectElement>('Good board port');
    await waitFor(() => expect(select.value).toBe('rfc2217://10.0.0.7:2217'));
    expect(options(select, 'Typed ports')).toEqual(['rfc2217://10.0.0.7:2217']);
    expect(screen.getByText(/baud rate and DTR\/RTS reset follow/)).toBeTruthy();
    // The bad board's picker offers it too.
    expect(options(screen.getByLabelText('Bad board port'), 'Typed ports')).toEqual([
      'rfc2217://10.0.0.7:2217',
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Detect good board' }));
    await waitFor(() => expect(api.started).toHaveLength(1));
    expect(api.started[0]).toMatchObject({ kind: 'detect', params: { port: 'rfc2217://10.0.0.7:2217' } });
  });

  it('a typo is refused with the reason and what to type instead; nothing is chosen', async () => {
    setup([demoPorts]);
    const [typed] = screen.getAllByLabelText('Or type a port');
    fireEvent.change(typed!, { target: { value: 'rfc2217://10.0.0.7' } });
    fireEvent.click(screen.getAllByRole('button', { name: 'Use this port' })[0]!);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/expected rfc2217:\/\/HOST:PORT/);
    expect(alert.textContent).toMatch(/rfc2217:\/\/192\.168\.1\.5:2217/);
    expect(screen.getByLabelText<HTMLSelectElement>('Good board port').value).toBe('');
  });
});
