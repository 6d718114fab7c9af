/**
 * WorkbenchApi: the one contract between the UI and everything main/ can do (DESIGN.md "Layers").
 * Two bridges carry it unchanged — Electron IPC (app/) and the browser host (main/host) — and both
 * hand raw payloads to `dispatch()` (./dispatch.ts), which validates them with the schemas below.
 *
 * The renderer may only `import type` from this file. Shapes here are wire DTOs (plain JSON: numbers
 * in bytes, no Uint8Array, no classes) so the lower layers can change without breaking the UI.
 */
import { z } from 'zod';
import type { ErrorData } from '../errors.js';
import { SECTOR_SIZE } from '../flash-geometry.js';
import type { UserPrompt } from '../progress.js';

export type { ErrorData };

/** What every call returns across a bridge: errors travel as data (STYLE.md 5). */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

// ---------- plain data the UI shows ----------

export interface PortInfo {
  path: string;
  bridge: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  /** In-process demo board (virtual:good, virtual:bad): the UI labels it "virtual". */
  virtual: boolean;
  label: string;
}

export interface BoardInfo {
  port: string;
  bridge: string;
  chip: string;
  mac: string;
  crystalMHz: number;
  chipId: number;
  flash: { manufacturer: string; device: number; jedecId: number; size: number };
}

export interface ProgressInfo {
  phase: string;
  done: number;
  total: number;
  bytesPerSec: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSec: number | null;
}

export interface BackupSummary {
  libraryId: string | null;
  file: string;
  size: number;
  md5: string;
  sha256: string;
  seconds: number;
  bytesRead: number;
  board: BoardInfo;
}

export interface RestorePlanView {
  /** Hand this back in `restore` to execute exactly what the user confirmed. */
  planId: string;
  port: string;
  image: { source: string; size: number; sha256: string; libraryId: string | null };
  target: BoardInfo;
  flashMode: { image: string | null; chosen: string; patched: boolean };
  backupFirst: boolean;
  full: boolean;
  preserve: string[];
  writeSectors: number[];
  skipSectors: number;
  /** The sectors to write, rolled up by flash region (for the plan table). */
  regions: { name: string; start: number; size: number; writeSectors: number }[];
  /**
   * "Clone the firmware and reset the factory data": the sectors reset instead of copied from the
   * image (RF_CAL, init data, SDK system parameters), by the image's firmware layout; null for an exact clone.
   */
  factoryReset?: { rule: 'arduino' | 'nonos'; steps: FactoryDataStep[] } | null;
  warnings: string[];
}

/** One sector range at the end of flash that a factory-data reset erases, writes or keeps. */
export interface FactoryDataStep {
  offset: number;
  size: number;
  action: 'erase' | 'write' | 'keep';
  what: string;
}

export interface WriteSummary {
  written: { sectors: number; bytes: number };
  skippedSectors: number;
  verified: boolean;
  seconds: number;
}

export interface RestoreSummary extends WriteSummary {
  backupId: string | null;
}

/** What a firmware file is (main/image/firmware-id.ts), shown before anything is written. */
export interface FileInfo {
  kind:
    'arduino' | 'nonos-boot' | 'nonos-user' | 'nonos-app' | 'full-dump' | 'rf-init-data' | 'blank' | 'raw';
  /** 'arduino' | 'tasmota' | 'esphome' | 'nodemcu' | 'micropython' | 'nonos-sdk' | 'unknown'. */
  firmware: string;
  /** One line for people: "Arduino sketch (eboot + app)", "Espressif esp_init_data_default v08". */
  description: string;
  /** Flash size the image header asks for (image kinds only), bytes. */
  headerFlashSize: number | null;
  slot: 'user1' | 'user2' | null;
  /** Why we think so. */
  evidence: string[];
}

/** A "will not do what you expect" note about one file, from the fit check against the board. */
export interface FitWarningView {
  code: string;
  address: number;
  message: string;
}

export interface WritePlanView {
  /** Hand this back in `write` (with the same options) to write exactly what the user confirmed. */
  planId: string;
  port: string;
  target: BoardInfo;
  files: {
    address: number;
    name: string;
    size: number;
    identity: FileInfo;
    headerPatched: boolean;
    headerNote: string | null;
  }[];
  warnings: FitWarningView[];
  backupFirst: boolean;
  /** Sector numbers (offset / 4096) that differ and will be written. */
  writeSectors: number[];
  skipSectors: number;
}

export interface WriteFilesSummary extends WriteSummary {
  backupId: string | null;
}

export interface VerifyFilesSummary {
  verified: boolean;
  files: {
    address: number;
    name: string;
    verified: boolean;
    diffSectors: number[];
    /** At 0x0 with a header option: how the header was compared ("header bytes 2–3 rewritten", …). */
    headerNote?: string | null;
  }[];
  seconds: number;
}

/** `repair`: what resetting the factory data will do on this board, by its firmware's layout. */
export interface RepairPlanView {
  /** Hand this back in `repair` (with the same options) to run exactly this plan. */
  planId: string;
  port: string;
  target: BoardInfo;
  /** The firmware family read from the board, and the rule that places its factory data. */
  family: string;
  rule: 'arduino' | 'nonos';
  /** The flash size the SDK uses to find its sectors (the chip's after a header fix). */
  sdkSize: number;
  header: { size: number | null; chipSize: number; fix: boolean };
  actions: {
    offset: number;
    size: number;
    action: 'erase' | 'write' | 'keep' | 'patch-header';
    what: string;
  }[];
  /** Sector numbers (offset / 4096) that will change; empty when the factory data is already reset. */
  writeSectors: number[];
  /** Always true: stored WiFi settings are reset, the UI says so before the confirm button. */
  resetsWifi: boolean;
  backupFirst: boolean;
  warnings: string[];
}

export interface RepairSummary {
  changedSectors: number[];
  verified: boolean;
  backupId: string | null;
  seconds: number;
}

export interface EraseSummary {
  erased: { offset: number; size: number };
  seconds: number;
}

export type SectorState = 'same' | 'diff' | 'blank' | 'a-blank' | 'b-blank';

export interface CompareSide {
  spec: string;
  kind: 'board' | 'image' | 'library';
  /** Label → value, shown in two columns; differing values are highlighted. */
  fields: Record<string, string>;
}

export interface CompareView {
  a: CompareSide;
  b: CompareSide;
  sectorSize: number;
  sectors: SectorState[];
  regions: { name: string; start: number; size: number; diffSectors: number }[];
  /** One line that says what differs ("Only RF init data differs: …"). */
  summary: string;
}

export interface MqttEvent {
  /** ms since the check started. */
  t: number;
  source: 'host' | 'serial' | 'broker' | 'check';
  text: string;
  /** PubSubClient state code seen in the line, with its meaning (ESP8266-NOTES 7.1). */
  rc?: number;
  meaning?: string;
}

export interface MqttReport {
  verdict: 'pass' | 'fail' | 'inconclusive';
  broker: string;
  board: { connected: boolean; rcCodes: number[] };
  hostProbe: { ok: boolean; connack: number | null; ms: number | null };
  brokerView: { clientIds: string[]; messages: number; lastMessage: string | null };
  diagnosis: {
    cause: string;
    evidence: string;
    fix: string;
    /** The cause's stable code (main/mqtt/causes.ts), when known. */
    code?: string;
    /** The evidence points at the board's factory data (RF calibration / SDK sectors): `repair` may cure it. */
    factoryData?: boolean;
    confidence?: 'high' | 'medium' | 'low';
    confirm?: string;
  }[];
  /** How the board's log was read ("74880 for the ROM, 115200 for the app…" or one fixed rate). */
  serialRates?: string;
  seconds?: number;
}

export interface LibraryEntry {
  id: string;
  label: string;
  board: { chip: string | null; mac: string | null; flashSize: number | null; port: string | null };
  created: string;
  size: number;
  sha256: string;
  md5: string;
  credentials: boolean;
  ssid: string | null;
  /** Present when the entry cannot be used as is: what is wrong and the command that fixes it. */
  damaged?: {
    kind: 'corrupt' | 'metadata-missing';
    problem: string;
    /** The CLI command that fixes it. */
    next: string;
    /** What fixes it: rebuild the metadata (the image is intact) or remove the entry. */
    fix: 'repair' | 'rm';
  };
}

export interface AppInfo {
  version: string;
  dataHome: string;
  shell: 'electron' | 'browser';
  defaults: { broker: string | null };
}

// ---------- files in and out (no API takes a host path) ----------

/**
 * MAX_UPLOAD_BYTES (main/flash-geometry.ts) is the largest file the workbench accepts.
 * Browser: POST the raw bytes to UPLOAD_PATH (token in the `x-flashback-token` header or the page's
 * cookie; `?name=` the file name) → `{ ok, value: UploadInfo }`. Electron: the preload's
 * `openFile()` shows the file dialog and the main process reads the file; a file the page already
 * holds (dropped on it) goes as bytes through `uploadFile(name, bytes)`, which the main process checks
 * (app/files.ts) like the host checks a POST. Either way jobs take the upload id, never a path.
 */
export { MAX_UPLOAD_BYTES } from '../flash-geometry.js';
export const UPLOAD_PATH = '/api/upload';
/** Browser: GET DOWNLOAD_PATH + id streams the file as an attachment. Electron: `saveFile(id)`. */
export const DOWNLOAD_PATH = '/api/download/';
export const UPLOAD_ID = /^upload:[A-Za-z0-9_-]{16}$/;
export const LIBRARY_ID = /^[0-9a-fA-F]{6,64}$/;

export interface UploadInfo {
  /** `upload:…`: what `plan-restore`, `verify` and `compare` accept in place of a file path. */
  id: string;
  name: string;
  size: number;
  sha256: string;
}

/** One place an exported image still holds credential-like data; the value masked, never in full. */
export interface CredentialFindingView {
  offset: number;
  length: number;
  kind: string;
  /** `secret`: looks like a password; `possible`: an area that usually holds them. */
  severity: 'secret' | 'possible';
  key?: string;
  masked?: string;
  region: string;
  /** One line for the user, with the offset. */
  hint: string;
}

/** What an export's scrub blanked and what it found but did not remove (main/image/credential-scan.ts). */
export interface ExportReportView {
  blanked: number[];
  findings: CredentialFindingView[];
}

export interface DownloadInfo {
  id: string;
  /** The name the browser or the save dialog suggests. */
  name: string;
  size: number;
}

/** A library id (sha256 or a unique prefix of ≥ 6 hex digits) or an upload id — never a path. */
export const imageRef = z
  .string()
  .max(80)
  .refine((s) => LIBRARY_ID.test(s) || UPLOAD_ID.test(s), {
    message: 'expected a library id or an uploaded file (host paths are not accepted)',
  });

/** Whether a job param names an uploaded file (the service swaps it for the stored copy). */
export const isUploadRef = (s: string): boolean => UPLOAD_ID.test(s);

// ---------- jobs ----------

const portSpec = z.string().min(1).max(512);
const flashMode = z.enum(['keep', 'qio', 'qout', 'dio', 'dout']);
/** A compare side: a board's port, a library backup or an uploaded file. */
const compareSide = z.union([imageRef, portSpec]);
/** How to get into the bootloader; 'manual' shows the job's prompt (press FLASH, tap RST) with a countdown. */
const before = z.enum(['default-reset', 'no-reset', 'manual']);
/**
 * The board the job is meant for (its MAC, from the wizard's detect): another board on the port (swapped
 * on the same adapter) is refused, WRONG_BOARD, before anything is read or written.
 */
const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i);
const planOptions = z.object({
  mac: mac.optional(),
  port: portSpec,
  /** Library id (sha256 prefix) or upload id. */
  image: imageRef,
  flashMode: flashMode.optional(),
  full: z.boolean().optional(),
  backup: z.boolean().optional(),
  preserve: z.array(z.string().max(64)).max(16).optional(),
  /** Finish the interrupted restore recorded for this port (its journal gives image and options). */
  resume: z.boolean().optional(),
  before: before.optional(),
  /** Clone the firmware but reset the factory data: the donor's RF calibration and WiFi are not copied. */
  resetFactoryData: z.boolean().optional(),
});
const repairOptions = z.object({
  port: portSpec,
  /** Set a header flash size that disagrees with the chip to the chip's size. */
  fixHeader: z.boolean().optional(),
  backup: z.boolean().optional(),
});

/** One file to write: an uploaded file (or a library backup) at a flash address. */
const writeFile = z.object({ address: z.number().int().min(0).max(0xfff000), file: imageRef }).strict();
const writeOptions = z.object({
  port: portSpec,
  files: z.array(writeFile).min(1).max(8),
  flashMode: flashMode.optional(),
  /** 'detect' rewrites the header at 0x0 to the chip's real size (the ESP-01 1 MB case). */
  flashSize: z.enum(['keep', 'detect']).optional(),
  backup: z.boolean().optional(),
});

export const jobParamSchemas = {
  detect: z.object({ port: portSpec, before: before.optional() }),
  backup: z.object({
    port: portSpec,
    label: z.string().max(200).optional(),
    before: before.optional(),
    mac: mac.optional(),
  }),
  'plan-restore': planOptions,
  /**
   * A plan is a contract: `options` are the choices the UI shows next to the confirm button. They must
   * equal those the plan was made with, or the start is refused (PLAN_STALE) and nothing is written.
   */
  restore: z.object({ planId: z.string().min(1).max(64), options: planOptions }),
  verify: z.object({ port: portSpec, image: imageRef, before: before.optional() }),
  /** Detects the board, recognises each file, checks the fit and diffs: nothing is written. */
  'plan-write': writeOptions,
  /** Like restore: the confirmed plan with the options it was made with (PLAN_STALE otherwise). */
  write: z.object({ planId: z.string().min(1).max(64), options: writeOptions }),
  /** The write's header options too: a file written with a patched header at 0x0 is compared as written. */
  'verify-files': writeOptions.omit({ backup: true }),
  /** No offset and size: the whole chip. Otherwise a sector-aligned region. */
  erase: z.object({
    port: portSpec,
    offset: z.number().int().min(0).max(0xfff000).multipleOf(SECTOR_SIZE).optional(),
    size: z.number().int().min(SECTOR_SIZE).max(0x1000000).multipleOf(SECTOR_SIZE).optional(),
  }),
  compare: z.object({ a: compareSide, b: compareSide }),
  /** Reads the board and plans the factory-data reset its firmware needs: nothing is written. */
  'plan-repair': repairOptions,
  /** Like restore: the confirmed plan with the options it was made with (PLAN_STALE otherwise). */
  repair: z.object({ planId: z.string().min(1).max(64), options: repairOptions }),
  'mqtt-check': z.object({
    port: portSpec,
    broker: z.string().max(512).optional(),
    topic: z.string().max(256).optional(),
    clientId: z.string().max(128).optional(),
    durationSec: z.number().min(1).max(600).optional(),
    before: z.enum(['default-reset', 'no-reset', 'manual']).optional(),
    after: z.enum(['hard-reset', 'no-reset']).optional(),
    /** The same sketch passed the check on this port earlier (the wizard's good board). */
    passedOn: portSpec.optional(),
  }),
} as const;

export type JobKind = keyof typeof jobParamSchemas;
export type JobParams<K extends JobKind> = z.infer<(typeof jobParamSchemas)[K]>;

export interface JobResults {
  detect: BoardInfo;
  backup: BackupSummary;
  'plan-restore': RestorePlanView;
  restore: RestoreSummary;
  verify: WriteSummary;
  'plan-write': WritePlanView;
  write: WriteFilesSummary;
  'verify-files': VerifyFilesSummary;
  erase: EraseSummary;
  'plan-repair': RepairPlanView;
  repair: RepairSummary;
  compare: CompareView;
  'mqtt-check': MqttReport;
}

export type JobState = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobSnapshot<K extends JobKind = JobKind> {
  id: string;
  kind: K;
  /** The serial port the job owns while it runs (null for image-only jobs). */
  port: string | null;
  state: JobState;
  progress: ProgressInfo | null;
  result?: JobResults[K];
  error?: ErrorData;
  /**
   * A restore that stopped part-way (cancel, error, unplug): how many of the planned sectors reached
   * the flash, and the target's own backup (Undo). The board needs Resume or Undo.
   */
  interrupted?: { written: number; planned: number; backupId: string | null };
  /** Something the user must do now (e.g. the manual bootloader reset of "before: manual"), with a deadline. */
  prompt?: UserPrompt | null;
  startedAt: number;
  endedAt?: number;
}

const job = <K extends JobKind>(kind: K) =>
  z.object({ kind: z.literal(kind), params: jobParamSchemas[kind] }).strict();
const jobStart = z.discriminatedUnion('kind', [
  job('detect'),
  job('backup'),
  job('plan-restore'),
  job('restore'),
  job('verify'),
  job('plan-write'),
  job('write'),
  job('verify-files'),
  job('erase'),
  job('plan-repair'),
  job('repair'),
  job('compare'),
  job('mqtt-check'),
]);

// ---------- methods (request → reply) ----------

export const methodSchemas = {
  'app.info': z.object({}).strict(),
  'ports.list': z.object({}).strict(),
  /**
   * A port the user typed (a network serial server, a device the OS does not list). Jobs and the
   * monitor use only listed ports and ports added here, so no single request makes the host open an
   * arbitrary TCP connection.
   */
  'ports.add': z.object({ port: portSpec }).strict(),
  'jobs.start': jobStart,
  'jobs.cancel': z.object({ jobId: z.string().min(1).max(64) }).strict(),
  'jobs.list': z.object({}).strict(),
  'library.list': z.object({}).strict(),
  'library.rename': z.object({ id: z.string().min(1).max(128), label: z.string().min(1).max(200) }).strict(),
  'library.remove': z.object({ id: z.string().min(1).max(128) }).strict(),
  /** Rebuilds the metadata of an intact image whose sidecar is missing or damaged (`library repair`). */
  'library.repair': z.object({ id: z.string().min(1).max(128) }).strict(),
  /** Keeps an uploaded file (an old `esptool read_flash` dump) in the library. */
  'library.import': z.object({ file: imageRef, label: z.string().max(200).optional() }).strict(),
  /** What an uploaded file is, before choosing where it goes. */
  'files.identify': z.object({ file: imageRef }).strict(),
  // No destination: the export is written inside the data folder and offered as a download.
  'library.export': z.object({ id: z.string().min(1).max(128), scrub: z.boolean().default(true) }).strict(),
  'monitor.open': z
    .object({ port: portSpec, baud: z.number().int().min(300).max(4_000_000).optional() })
    .strict(),
  'monitor.close': z.object({ port: portSpec }).strict(),
  'monitor.reset': z.object({ port: portSpec }).strict(),
  'monitor.send': z.object({ port: portSpec, text: z.string().max(512) }).strict(),
} as const;

export type MethodName = keyof typeof methodSchemas;

export type JobStartRequest = { [K in JobKind]: { kind: K; params: JobParams<K> } }[JobKind];

/** What each method takes, derived from its schema (input side: defaults may be left out). */
export type MethodParams = { [M in MethodName]: z.input<(typeof methodSchemas)[M]> };

export interface MethodResults {
  'app.info': AppInfo;
  'ports.list': PortInfo[];
  /** The canonical spelling of the added port, and the port list that now includes it. */
  'ports.add': { port: string; ports: PortInfo[] };
  'jobs.start': { jobId: string };
  'jobs.cancel': { cancelled: boolean };
  'jobs.list': JobSnapshot[];
  'library.list': LibraryEntry[];
  'library.rename': LibraryEntry;
  'library.remove': { removed: boolean };
  'library.repair': LibraryEntry;
  'library.import': LibraryEntry;
  'files.identify': FileInfo & { name: string; size: number };
  /** `report`: what the exported image still holds (absent where the export was not scanned). */
  'library.export': { download: DownloadInfo; scrubbed: boolean; report?: ExportReportView };
  'monitor.open': { port: string; baud: number };
  'monitor.close': { closed: boolean };
  'monitor.reset': { reset: boolean };
  'monitor.send': { sent: boolean };
}

// ---------- events (main → UI) ----------

export type WorkbenchEvent =
  | { type: 'ports'; ports: PortInfo[] }
  | { type: 'job'; job: JobSnapshot }
  | { type: 'job-log'; jobId: string; line: string }
  | { type: 'mqtt'; jobId: string; event: MqttEvent }
  | { type: 'monitor'; port: string; text: string; rc?: number; meaning?: string; baud?: number }
  | {
      type: 'monitor-state';
      port: string;
      state: 'open' | 'paused' | 'closed';
      reason?: string;
      /** How the monitor reads the port (both rates, or one fixed rate on socket://). */
      rates?: string;
    };

/** The bridge-neutral client the renderer codes against (implemented by both bridges and a fake). */
export interface WorkbenchClient {
  call<M extends MethodName>(method: M, params: MethodParams[M]): Promise<Reply<MethodResults[M]>>;
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
  /**
   * True when the shell has its own file dialogs (Electron): `openFile()` without a file asks the user
   * itself. With a file (chosen in an `<input type="file">` or dropped on the page) both shells upload
   * that file's bytes, size-limited. Resolves `null` when the user cancelled the dialog.
   */
  readonly nativeFileDialogs: boolean;
  openFile(file?: Blob & { name: string }): Promise<Reply<UploadInfo | null>>;
  /** Hands a prepared download to the user (browser download / Electron save dialog). */
  saveFile(download: DownloadInfo): Promise<Reply<{ saved: boolean }>>;
}

/** Names on the Electron IPC channel and the host's WebSocket path. */
export const IPC_INVOKE = 'flashback:invoke';
export const IPC_EVENT = 'flashback:event';
/** Electron only: the main process shows the open / save dialog (no path ever crosses to the page). */
export const IPC_OPEN_FILE = 'flashback:open-file';
export const IPC_SAVE_FILE = 'flashback:save-file';
/** Electron only: the bytes of a file the page holds (a drop), `{ name, bytes }`, checked like an upload. */
export const IPC_UPLOAD_FILE = 'flashback:upload-file';
export const WS_PATH = '/api/ws';
