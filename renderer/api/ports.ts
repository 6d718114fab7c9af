/** Refreshing the port list and checking a typed port (socket://, rfc2217://, a device path). */
import { useCallback } from 'react';
import type { ErrorData, PortCheck } from '../../main/workbench/api.js';
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

/** Asks the service whether a typed string is a port; a good one is remembered in the list. */
export function useCheckPort(): (typed: string) => Promise<PortCheck | { error: ErrorData }> {
  const api = useApi();
  const store = useAppStore();
  return useCallback(
    async (typed) => {
      try {
        const check = await call(api, 'ports.check', { port: typed });
        store.getState().addTypedPort(check);
        return check;
      } catch (e) {
        return { error: errorData(e) };
      }
    },
    [api, store],
  );
}
