/** Refreshing the port list and adding a typed port (socket://, rfc2217://, a device the OS does not list). */
import { useCallback } from 'react';
import type { ErrorData } from '../../main/workbench/api.js';
import { useAppStore } from '../store/index.js';
import { call, errorData, useApi } from './context.js';

export function useRefreshPorts(): () => Promise<void> {
  const api = useApi();
  const store = useAppStore();
  return useCallback(async () => {
    const ports = await call(api, 'ports.list', {}).catch(() => null);
    if (ports) store.getState().setPorts(ports);
  }, [api, store]);
}

/**
 * Asks the service to accept a typed port (it validates the spec; jobs open only listed or added
 * ports). Resolves to the canonical spelling, or the error to show.
 */
export function useAddPort(): (typed: string) => Promise<{ port: string } | { error: ErrorData }> {
  const api = useApi();
  const store = useAppStore();
  return useCallback(
    async (typed) => {
      try {
        const { port, ports } = await call(api, 'ports.add', { port: typed });
        store.getState().setPorts(ports);
        return { port };
      } catch (e) {
        return { error: errorData(e) };
      }
    },
    [api, store],
  );
}

/** What reset and baud do on a kind of port, by its scheme (shown under the picker). */
export function portKindNote(port: string | null): string | null {
  if (!port) return null;
  if (/^rfc2217:\/\//i.test(port))
    return 'RFC 2217: the remote adapter’s baud rate and DTR/RTS reset follow Flashback.';
  if (/^socket:\/\//i.test(port))
    return (
      'Raw TCP: no reset and a fixed baud rate — put the board in bootloader mode by hand (hold FLASH, ' +
      'tap RST). For a remote adapter with reset, use rfc2217://.'
    );
  return null;
}
