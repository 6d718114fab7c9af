// Types for bin/build.mjs (plain JavaScript so it runs before anything is built).
export declare const root: string;
export declare function nodeBuildStale(): string | null;
export declare function rendererBuildStale(): string | null;
export declare function buildNode(): Promise<void>;
export declare function buildRenderer(): void;
export declare function ensureBuilt(opts?: {
  node?: boolean;
  renderer?: boolean;
  log?: (message: string) => void;
}): Promise<string[]>;
