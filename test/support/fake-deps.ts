import type { WorkbenchDeps } from '../../main/workbench/deps.js';

/** Rejects: a service the test does not expect to be called. */
export const nope = (): Promise<never> => Promise.reject(new Error('not in this test'));

/**
 * Workbench services for host and shell tests: one listed virtual board, an empty library, and every
 * operation refusing; a test overrides what it exercises, so a new service is added here once.
 */
export function fakeDeps(over: Partial<WorkbenchDeps> = {}): WorkbenchDeps {
  return {
    listPorts: async () => [{ path: 'virtual:good', bridge: 'virtual', virtual: true, label: 'good' }],
    detect: nope,
    backup: nope,
    planRestore: nope,
    executeRestore: nope,
    verify: nope,
    compare: nope,
    mqttCheck: nope,
    library: { list: async () => [], rename: nope, remove: nope, export: nope },
    openMonitor: nope,
    annotate: () => null,
    dataHome: '/tmp/none',
    defaults: { broker: null },
    ...over,
  };
}
