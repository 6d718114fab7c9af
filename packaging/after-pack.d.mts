// Types for packaging/after-pack.mjs (plain JavaScript: electron-builder loads it directly).
import type { FuseV1Config } from '@electron/fuses';

export declare function fuses(platform: string): FuseV1Config;
export declare function electronBinary(context: unknown): string;
export default function afterPack(context: unknown): Promise<void>;
