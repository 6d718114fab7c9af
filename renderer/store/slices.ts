/**
 * The app store's slices (STYLE.md 11): ports, jobs (+ their MQTT events and logs), library, monitor
 * and the wizard step machine. Each slice is a function of (set, get) so the wizard can read jobs.
 */
import type { StateCreator } from 'zustand';
import type {
  JobSnapshot,
  LibraryEntry,
  MqttEvent,
  PortInfo,
  WorkbenchEvent,
} from '../../main/workbench/api.js';
import { type FlashSlice, createFlashSlice } from './flash.js';
import { type RepairSlice, createRepairSlice } from './repair.js';
import { type WizardSlice, createWizardSlice } from './wizard.js';

export interface PortsSlice {
  ports: PortInfo[];
  portsLoaded: boolean;
  setPorts(ports: PortInfo[]): void;
}

export interface JobsSlice {
  jobs: Record<string, JobSnapshot>;
  mqttEvents: Record<string, MqttEvent[]>;
  jobLogs: Record<string, string[]>;
  upsertJob(job: JobSnapshot): void;
}

export interface LibrarySlice {
  library: LibraryEntry[];
  setLibrary(entries: LibraryEntry[]): void;
}

export interface MonitorSlice {
  monitor: {
    port: string | null;
    state: 'open' | 'paused' | 'closed';
    reason?: string;
    /** How the port is read (both rates, or one fixed rate). */
    rates?: string;
    lines: { text: string; rc?: number; meaning?: string; baud?: number }[];
  };
  setMonitorPort(port: string | null): void;
  clearMonitor(): void;
}

export type AppState = PortsSlice &
  JobsSlice &
  LibrarySlice &
  MonitorSlice &
  FlashSlice &
  RepairSlice &
  WizardSlice & { apply(e: WorkbenchEvent): void };

type Slice<T> = StateCreator<AppState, [], [], T>;

const MAX_LINES = 500;

export const createPortsSlice: Slice<PortsSlice> = (set) => ({
  ports: [],
  portsLoaded: false,
  setPorts: (ports) => set({ ports, portsLoaded: true }),
});

export const createJobsSlice: Slice<JobsSlice> = (set) => ({
  jobs: {},
  mqttEvents: {},
  jobLogs: {},
  upsertJob: (job) => set((s) => ({ jobs: { ...s.jobs, [job.id]: job } })),
});

export const createLibrarySlice: Slice<LibrarySlice> = (set) => ({
  library: [],
  setLibrary: (library) => set({ library }),
});

export const createMonitorSlice: Slice<MonitorSlice> = (set) => ({
  monitor: { port: null, state: 'closed', lines: [] },
  setMonitorPort: (port) => set((s) => ({ monitor: { ...s.monitor, port } })),
  clearMonitor: () => set((s) => ({ monitor: { ...s.monitor, lines: [] } })),
});

/** Folds one event from the bridge into the store. */
const createApply: Slice<{ apply(e: WorkbenchEvent): void }> = (set, get) => ({
  apply: (e) => {
    switch (e.type) {
      case 'ports':
        return get().setPorts(e.ports);
      case 'job':
        return get().upsertJob(e.job);
      case 'job-log':
        return set((s) => ({
          jobLogs: { ...s.jobLogs, [e.jobId]: [...(s.jobLogs[e.jobId] ?? []), e.line].slice(-MAX_LINES) },
        }));
      case 'mqtt':
        return set((s) => ({
          mqttEvents: {
            ...s.mqttEvents,
            [e.jobId]: [...(s.mqttEvents[e.jobId] ?? []), e.event].slice(-MAX_LINES),
          },
        }));
      case 'monitor':
        if (get().monitor.port !== e.port) return;
        return set((s) => ({
          monitor: {
            ...s.monitor,
            lines: [...s.monitor.lines, { text: e.text, rc: e.rc, meaning: e.meaning, baud: e.baud }].slice(
              -MAX_LINES,
            ),
          },
        }));
      case 'monitor-state':
        if (get().monitor.port !== e.port) return;
        return set((s) => ({
          monitor: { ...s.monitor, state: e.state, reason: e.reason, ...(e.rates ? { rates: e.rates } : {}) },
        }));
    }
  },
});

export const createAppSlices: Slice<AppState> = (...a) => ({
  ...createPortsSlice(...a),
  ...createJobsSlice(...a),
  ...createLibrarySlice(...a),
  ...createMonitorSlice(...a),
  ...createWizardSlice(...a),
  ...createFlashSlice(...a),
  ...createRepairSlice(...a),
  ...createApply(...a),
});
