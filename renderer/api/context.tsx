/**
 * The renderer's only door to the workbench: a WorkbenchClient from React context (STYLE.md 10).
 * main.tsx picks the Electron or WebSocket bridge; component tests pass a fake.
 */
import { createContext, useContext } from 'react';
import type {
  ErrorData,
  MethodName,
  MethodParams,
  MethodResults,
  WorkbenchClient,
} from '../../main/workbench/api.js';

export const ApiContext = createContext<WorkbenchClient | null>(null);

export function useApi(): WorkbenchClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}

/** A failed call, carrying the error data (code, message, hint) that crossed the bridge. */
export class CallError extends Error {
  constructor(readonly data: ErrorData) {
    super(data.message);
  }
}

/** Calls a method and unwraps the reply, throwing CallError on `{ ok: false }`. */
export async function call<M extends MethodName>(
  api: WorkbenchClient,
  method: M,
  params: MethodParams[M],
): Promise<MethodResults[M]> {
  const reply = await api.call(method, params);
  if (!reply.ok) throw new CallError(reply.error);
  return reply.value;
}

export function errorData(e: unknown): ErrorData {
  if (e instanceof CallError) return e.data;
  return {
    code: 'INTERNAL',
    message: e instanceof Error ? e.message : String(e),
    hint: 'Reload the window; if it persists, report it.',
  };
}
