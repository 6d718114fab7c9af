/**
 * What WorkbenchService needs from the layers below, as plain-data functions. The real wiring is in
 * ./real-deps.ts (main/flash, main/library, main/mqtt, main/transport); tests pass their own, so no
 * test needs hardware or Electron (STYLE.md 8: collaborators through the constructor).
 */
import type { OpOptions } from '../progress.js';
import type { PortSpec } from '../transport/spec.js';
import type {
  BackupSummary,
  BoardInfo,
  CompareView,
  EraseSummary,
  ExportReportView,
  FileInfo,
  JobParams,
  LibraryEntry,
  MqttEvent,
  MqttReport,
  PortInfo,
  RestorePlanView,
  RestoreSummary,
  VerifyFilesSummary,
  RepairPlanView,
  RepairSummary,
  WriteFilesSummary,
  WritePlanView,
  WriteSummary,
} from './api.js';

/** A plan as the UI sees it plus whatever the flash layer needs to execute exactly that plan. */
export interface PlannedRestore {
  view: Omit<RestorePlanView, 'planId'>;
  handle: unknown;
}

/** A byte stream from a port opened for the serial monitor. */
export interface MonitorLink {
  onData(listener: (chunk: Uint8Array) => void): () => void;
  onClose(listener: (err?: Error) => void): () => void;
  close(): Promise<void>;
  /**
   * Lines already read at both rates and annotated (main/mqtt/monitor-session.ts). When present the
   * service shows these instead of splitting the raw bytes itself.
   */
  onLine?(listener: (l: { text: string; rc?: number; meaning?: string; baud?: number }) => void): () => void;
  /** Resets the board (reading the next boot banner at the ROM rate). */
  reset?(): Promise<void>;
  /** Sends a line to the board at the app's rate. */
  send?(text: string): Promise<void>;
  /** How the port is read. */
  rates?: string;
}

export interface MqttCheckOptions extends OpOptions {
  /** `t` (ms since the check started) when the event is reported late; else the service stamps it. */
  onEvent: (e: Omit<MqttEvent, 't'> & { t?: number }) => void;
}

/** A file to write, resolved by the service: the stored copy's path and the name the user knows. */
export interface ResolvedFile {
  address: number;
  file: string;
  name: string;
}

export interface WriteRequest {
  port: string;
  files: ResolvedFile[];
  flashMode?: JobParams<'plan-write'>['flashMode'];
  flashSize?: 'keep' | 'detect';
  backup?: boolean;
  /** The board the confirmed plan was made on: another board on the port is refused (WRONG_BOARD). */
  mac?: string;
}

/** Flashing firmware files (main/flash write-files, erase, verify; main/image recognition). */
export interface FirmwareDeps {
  identify(file: ResolvedFile): Promise<FileInfo>;
  /** Connects, recognises, checks the fit and diffs; writes nothing. */
  planWrite(req: WriteRequest, opts: OpOptions): Promise<Omit<WritePlanView, 'planId'>>;
  write(req: WriteRequest, opts: OpOptions): Promise<WriteFilesSummary>;
  /** The same header options as the write, so a patched header at 0x0 is compared as written. */
  verifyFiles(req: Omit<WriteRequest, 'backup'>, opts: OpOptions): Promise<VerifyFilesSummary>;
  erase(params: JobParams<'erase'>, opts: OpOptions): Promise<EraseSummary>;
  /** Adds a file to the library (an old read_flash dump), labelled. */
  importFile(file: ResolvedFile, label?: string): Promise<LibraryEntry>;
  /** Reads the board and plans its factory-data reset (main/flash/repair.ts); writes nothing. */
  planRepair(params: JobParams<'plan-repair'>, opts: OpOptions): Promise<Omit<RepairPlanView, 'planId'>>;
  /** Runs the repair; refuses when the board no longer matches `confirmed` (other chip, other sectors). */
  repair(
    params: JobParams<'plan-repair'>,
    confirmed: Omit<RepairPlanView, 'planId'>,
    opts: OpOptions,
  ): Promise<RepairSummary>;
}

export interface WorkbenchDeps {
  listPorts(): Promise<PortInfo[]>;
  detect(params: JobParams<'detect'>, opts: OpOptions): Promise<BoardInfo>;
  backup(params: JobParams<'backup'>, opts: OpOptions): Promise<BackupSummary>;
  planRestore(params: JobParams<'plan-restore'>, opts: OpOptions): Promise<PlannedRestore>;
  executeRestore(plan: PlannedRestore, opts: OpOptions): Promise<RestoreSummary>;
  verify(params: JobParams<'verify'>, opts: OpOptions): Promise<WriteSummary>;
  compare(params: JobParams<'compare'>, opts: OpOptions): Promise<CompareView>;
  mqttCheck(params: JobParams<'mqtt-check'>, opts: MqttCheckOptions): Promise<MqttReport>;
  library: {
    list(): Promise<LibraryEntry[]>;
    rename(id: string, label: string): Promise<LibraryEntry>;
    remove(id: string): Promise<boolean>;
    /** Rebuilds the sidecar of an intact image (`library repair`); absent in test fakes. */
    repair?(id: string): Promise<LibraryEntry>;
    /** Writes the (scrubbed) image into `dir` (inside the data folder); `name` is for the user. */
    export(
      id: string,
      scrub: boolean,
      dir: string,
    ): Promise<{ file: string; name: string; scrubbed: boolean; report?: ExportReportView }>;
  };
  openMonitor(port: string, baud: number): Promise<MonitorLink>;
  /**
   * Refuses a typed network port that does not behave like a serial bridge (real deps: a TCP probe,
   * main/transport/bridge-probe.ts). Absent in test fakes, whose typed ports are never opened for real.
   */
  probePort?(spec: Extract<PortSpec, { kind: 'tcp' | 'rfc2217' }>): Promise<void>;
  /** Annotates one serial-log line (PubSubClient rc codes); null when it carries nothing. */
  annotate(line: string): { rc?: number; meaning: string } | null;
  /** Absent in builds (and test fakes) without firmware flashing: those jobs then fail with a reason. */
  firmware?: FirmwareDeps;
  dataHome: string;
  defaults: { broker: string | null };
  /** Stops background things the deps started (embedded broker, virtual boards). */
  close?(): Promise<void>;
}
