/**
 * The wizard as a step machine: Detect → Back up good board → Restore to bad board → MQTT check.
 * The state holds only choices and job ids; what a step shows (boards, plan, verdict) is derived from
 * the jobs slice, so a reconnect or a late event can never leave the two out of step.
 */
import type { StateCreator } from 'zustand';
import type {
  BackupSummary,
  BoardInfo,
  JobKind,
  JobParams,
  JobResults,
  JobSnapshot,
  RestorePlanView,
} from '../../main/workbench/api.js';
import type { FlashModeChoice } from '../wizard/flash-modes.js';
import type { AppState } from './slices.js';

export const STEPS = ['detect', 'backup', 'restore', 'mqtt'] as const;
export type Step = (typeof STEPS)[number];
export type Role = 'good' | 'bad';

export const STEP_LABELS: Record<Step, string> = {
  detect: 'Detect boards',
  backup: 'Back up good board',
  restore: 'Restore to bad board',
  mqtt: 'MQTT check',
};

export interface WizardSlice {
  wizard: {
    step: Step;
    port: Record<Role, string | null>;
    detectJob: Record<Role, string | null>;
    backupJob: string | null;
    /** Image chosen for the restore (library id); defaults to the backup just taken. */
    image: string | null;
    planJob: string | null;
    /** The options `planJob` was asked with: the confirm button shows only while they still hold. */
    planOptions: JobParams<'plan-restore'> | null;
    /** The restore choices on screen. */
    options: RestoreChoices;
    restoreJob: string | null;
    /** MQTT checks in order, each tagged with whether the restore had happened. */
    mqttJobs: { jobId: string; afterRestore: boolean }[];
  };
  choosePort(role: Role, port: string | null): void;
  setWizardJob(key: 'backupJob' | 'restoreJob', jobId: string | null): void;
  setPlanJob(jobId: string | null, options: JobParams<'plan-restore'> | null): void;
  setRestoreChoice: <K extends keyof RestoreChoices>(key: K, value: RestoreChoices[K]) => void;
  setDetectJob(role: Role, jobId: string): void;
  chooseImage(id: string | null): void;
  addMqttJob(jobId: string): void;
  goTo: (step: Step) => boolean;
}

export interface RestoreChoices {
  flashMode: FlashModeChoice;
  backup: boolean;
  /** Keep the bad board's own WiFi settings and RF data (preserve sdk-config). */
  keepOwn: boolean;
  /** Clone the firmware but reset the factory data (the donor's RF calibration and WiFi are not copied). */
  resetFactoryData?: boolean;
  /** Finish the interrupted restore on this port (set by Resume, cleared by any other choice). */
  resume?: boolean;
}

/** The plan-restore request for what the screen shows now (null until a port and image are chosen). */
export function restoreRequest(
  port: string | null,
  image: string | null,
  o: RestoreChoices,
  /** The detected bad board: a board swapped onto the port since is refused (WRONG_BOARD). */
  mac?: string | null,
): JobParams<'plan-restore'> | null {
  if (!port || !image) return null;
  return {
    port,
    ...(mac ? { mac } : {}),
    image,
    flashMode: o.flashMode,
    backup: o.backup,
    ...(o.keepOwn ? { preserve: ['sdk-config'] } : {}),
    ...(o.resetFactoryData ? { resetFactoryData: true } : {}),
    ...(o.resume ? { resume: true } : {}),
  };
}

export function sameRequest(
  a: JobParams<'plan-restore'> | null,
  b: JobParams<'plan-restore'> | null,
): boolean {
  return a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);
}

export function jobResult<K extends JobKind>(s: AppState, id: string | null, kind: K): JobResults[K] | null {
  const job = id ? s.jobs[id] : undefined;
  return job && job.kind === kind && job.state === 'done' ? ((job as JobSnapshot<K>).result ?? null) : null;
}

export const boardOf = (s: AppState, role: Role): BoardInfo | null =>
  jobResult(s, s.wizard.detectJob[role], 'detect');
export const backupOf = (s: AppState): BackupSummary | null => jobResult(s, s.wizard.backupJob, 'backup');
export const planOf = (s: AppState): RestorePlanView | null => jobResult(s, s.wizard.planJob, 'plan-restore');
export const restoredOf = (s: AppState) => jobResult(s, s.wizard.restoreJob, 'restore');

/** Why a step cannot be entered yet (null when it can). */
export function blockedReason(s: AppState, step: Step): string | null {
  switch (step) {
    case 'detect':
      return null;
    case 'backup':
      return boardOf(s, 'good') ? null : 'Detect the good board first.';
    case 'restore':
      if (!boardOf(s, 'bad')) return 'Detect the bad board first.';
      return backupOf(s) || s.library.length > 0 ? null : 'Back up the good board first.';
    case 'mqtt':
      // The check resets and reads the board itself: a chosen port (e.g. after a repair) is enough.
      return boardOf(s, 'bad') || boardOf(s, 'good') || s.wizard.port.bad || s.wizard.port.good
        ? null
        : 'Detect a board first.';
  }
}

export const createWizardSlice: StateCreator<AppState, [], [], WizardSlice> = (set, get) => ({
  wizard: {
    step: 'detect',
    port: { good: null, bad: null },
    detectJob: { good: null, bad: null },
    backupJob: null,
    image: null,
    planJob: null,
    planOptions: null,
    options: { flashMode: 'keep', backup: true, keepOwn: false },
    restoreJob: null,
    mqttJobs: [],
  },
  choosePort: (role, port) =>
    set((s) => ({
      // A new port invalidates what was detected on the old one.
      wizard: {
        ...s.wizard,
        port: { ...s.wizard.port, [role]: port },
        detectJob: { ...s.wizard.detectJob, [role]: null },
      },
    })),
  setDetectJob: (role, jobId) =>
    set((s) => ({ wizard: { ...s.wizard, detectJob: { ...s.wizard.detectJob, [role]: jobId } } })),
  setWizardJob: (key, jobId) => set((s) => ({ wizard: { ...s.wizard, [key]: jobId } })),
  setPlanJob: (planJob, planOptions) =>
    set((s) => ({ wizard: { ...s.wizard, planJob, planOptions, restoreJob: null } })),
  setRestoreChoice: (key, value) =>
    set((s) => ({
      wizard: { ...s.wizard, options: { ...s.wizard.options, resume: false, [key]: value } },
    })),
  chooseImage: (image) => set((s) => ({ wizard: { ...s.wizard, image, planJob: null, planOptions: null } })),
  addMqttJob: (jobId) =>
    set((s) => ({
      wizard: {
        ...s.wizard,
        mqttJobs: [...s.wizard.mqttJobs, { jobId, afterRestore: restoredOf(s) !== null }],
      },
    })),
  goTo: (step) => {
    if (blockedReason(get(), step)) return false;
    set((s) => ({ wizard: { ...s.wizard, step } }));
    return true;
  },
});
