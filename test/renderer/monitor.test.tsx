// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/App.js';
import { createFakeClient } from '../../renderer/api/fake-client.js';
import { createAppStore } from '../../renderer/store/index.js';
import { demoPorts } from './fixtures.js';

afterEach(cleanup);

describe('serial monitor', () => {
  it('opens the port, shows lines with rc meanings, and says when a flash job pauses it', async () => {
    const api = createFakeClient({
      'ports.list': () => demoPorts,
      'monitor.open': (p) => ({ port: p.port, baud: p.baud ?? 115200 }),
    });
    render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Monitor' }));
    const port = await screen.findByLabelText('Port');
    await waitFor(() => expect(port.querySelector('option[value="virtual:bad"]')).not.toBeNull());
    fireEvent.change(port, { target: { value: 'virtual:bad' } });
    fireEvent.change(screen.getByLabelText('Baud'), { target: { value: '74880' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'monitor.open')).toBe(true));
    expect(api.calls.find((c) => c.method === 'monitor.open')!.params).toEqual({
      port: 'virtual:bad',
      baud: 74880,
    });
    act(() => {
      api.emit({ type: 'monitor-state', port: 'virtual:bad', state: 'open' });
      api.emit({
        type: 'monitor',
        port: 'virtual:bad',
        text: 'failed, rc=-2 try again',
        rc: -2,
        meaning: 'MQTT_CONNECT_FAILED',
      });
      // Lines from another port are not this monitor's.
      api.emit({ type: 'monitor', port: 'virtual:good', text: 'from the other board' });
    });
    expect(screen.getByText('failed, rc=-2 try again')).toBeTruthy();
    expect(screen.getByText(/rc=-2: MQTT_CONNECT_FAILED/)).toBeTruthy();
    expect(screen.queryByText('from the other board')).toBeNull();
    act(() =>
      api.emit({
        type: 'monitor-state',
        port: 'virtual:bad',
        state: 'paused',
        reason: 'A flash job is using the port',
      }),
    );
    expect(screen.getByText('Monitor paused: A flash job is using the port')).toBeTruthy();
  });

  it('Reset board, Send a line, Clear and Save log act on the open port', async () => {
    const api = createFakeClient({
      'ports.list': () => demoPorts,
      'monitor.open': (p) => ({ port: p.port, baud: p.baud ?? 115200 }),
      'monitor.reset': () => ({ reset: true }),
      'monitor.send': () => ({ sent: true }),
    });
    render(<App api={api} store={createAppStore()} />);
    fireEvent.click(screen.getByRole('tab', { name: 'Monitor' }));
    const port = await screen.findByLabelText('Port');
    await waitFor(() => expect(port.querySelector('option[value="virtual:good"]')).not.toBeNull());
    fireEvent.change(port, { target: { value: 'virtual:good' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'monitor.open')).toBe(true));
    act(() => {
      api.emit({ type: 'monitor-state', port: 'virtual:good', state: 'open' });
      api.emit({ type: 'monitor', port: 'virtual:good', text: 'Publish message: hello world #1' });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Reset board' }));
    await waitFor(() =>
      expect(api.calls.find((c) => c.method === 'monitor.reset')?.params).toEqual({ port: 'virtual:good' }),
    );
    fireEvent.change(screen.getByLabelText('Send a line'), { target: { value: 'status' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() =>
      expect(api.calls.find((c) => c.method === 'monitor.send')?.params).toEqual({
        port: 'virtual:good',
        text: 'status',
      }),
    );
    // Save: the log as a text download named after the port.
    const saved: Blob[] = [];
    const urlProps = ['createObjectURL', 'revokeObjectURL'] as const;
    const before = urlProps.map((k) => Object.getOwnPropertyDescriptor(URL, k));
    const stub = (k: string, value: unknown) =>
      Object.defineProperty(URL, k, { value, configurable: true, writable: true });
    stub('createObjectURL', (b: Blob) => (saved.push(b), 'blob:monitor'));
    stub('revokeObjectURL', () => undefined);
    // jsdom does not navigate: the download link's click is observed, not followed.
    const downloads: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      downloads.push(this.download);
    });
    try {
      fireEvent.click(screen.getByRole('button', { name: 'Save log' }));
      expect(saved).toHaveLength(1);
      const text = await new Promise<string>((r) => {
        const f = new FileReader();
        f.onload = () => r(typeof f.result === 'string' ? f.result : '');
        f.readAsText(saved[0]!);
      });
      expect(text).toMatch(/Publish message: hello world #1/);
      expect(downloads).toEqual(['flashback-monitor-virtual_good.log']);
    } finally {
      click.mockRestore();
      urlProps.forEach((k, i) =>
        before[i] ? Object.defineProperty(URL, k, before[i]) : delete (URL as never)[k],
      );
    }
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(screen.queryByText('Publish message: hello world #1')).toBeNull();
  });
});
