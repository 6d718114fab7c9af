/**
 * The factory-data repair path (no donor board): opened from the wizard ("No good board?") or from an
 * MQTT verdict that blames the factory data. Holds the port, the header-fix choice and the job ids;
 * the plan is a contract like a restore plan (options it was made with travel with the confirm).
 */
import type { StateCreator } from 'zustand';
import type { JobParams, RepairPlanView } from '../../main/workbench/api.js';
import type { AppState } from './slices.js';
import { jobResult } from './wizard.js';

export interface RepairSlice {
  repair: {
    open: boolean;
    port: string | null;
    fixHeader: boolean;
    planJob: string | null;
    planOptions: JobParams<'plan-repair'> | null;
    repairJob: string | null;
  };
  openRepair(port: string | null): void;
  closeRepair(): void;
  setRepairPort(port: string | null): void;
  setRepairFixHeader(fix: boolean): void;
  setRepairPlan(jobId: string | null, options: JobParams<'plan-repair'> | null): void;
  setRepairJob(jobId: string | null): void;
}

export const repairPlanOf = (s: AppState): RepairPlanView | null =>
  jobResult(s, s.repair.planJob, 'plan-repair');

const fresh = { planJob: null, planOptions: null, repairJob: null } as const;

export const createRepairSlice: StateCreator<AppState, [], [], RepairSlice> = (set) => ({
  repair: { open: false, port: null, fixHeader: false, ...fresh },
  openRepair: (port) =>
    set((s) => ({
      repair: { ...s.repair, open: true, ...(port && port !== s.repair.port ? { port, ...fresh } : {}) },
    })),
  closeRepair: () => set((s) => ({ repair: { ...s.repair, open: false } })),
  setRepairPort: (port) => set((s) => ({ repair: { ...s.repair, port, ...fresh } })),
  setRepairFixHeader: (fixHeader) => set((s) => ({ repair: { ...s.repair, fixHeader, ...fresh } })),
  setRepairPlan: (planJob, planOptions) =>
    set((s) => ({ repair: { ...s.repair, planJob, planOptions, repairJob: null } })),
  setRepairJob: (repairJob) => set((s) => ({ repair: { ...s.repair, repairJob } })),
});
