// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
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
});
