/**
 * WiFi credentials in a dump (ESP8266-NOTES 5.6): the SDK keeps `struct station_config` in plain form in
 * the two system-param data sectors (S−0x3000, S−0x2000). We report the SSID, never the password, and
 * `scrub` blanks those sectors for a shareable export (the flag sector stays: FOTA boot info lives there).
 */
import { flashTail } from './arduino-map.js';
import { SIZE_BY_CODE } from './flash-params.js';
import { SECTOR_SIZE } from './sectors.js';
import { readCString, STATION_PASSWORD, STATION_SSID } from './sysparam.js';
import type { AsyncRead } from './fs-detect.js';

export interface WifiCredentials {
  present: boolean;
  ssid: string | null;
  /** Flash offset of the sector holding them. */
  offset: number | null;
  passwordStored: boolean;
}

/** Where the SDK tail sits: by the header's size when it is smaller than the flash (notes 4.2). */
export function sdkTailSize(first: Uint8Array, flashSize: number): number {
  const hs = first[0] === 0xe9 || first[0] === 0xea ? SIZE_BY_CODE.get((first[3] ?? 0) >> 4) : undefined;
  return hs !== undefined && hs < flashSize ? hs : flashSize;
}

export function dataSectorOffsets(size: number): number[] {
  const { sysParam } = flashTail(size);
  return [sysParam, sysParam + SECTOR_SIZE];
}

/** The station config at the head of a system-param data sector; null when no SSID is stored. */
export function readStationConfig(head: Uint8Array): { ssid: string; password: string | null } | null {
  const ssid = readCString(head, STATION_SSID.offset, STATION_SSID.length);
  if (ssid === null) return null;
  return { ssid, password: readCString(head, STATION_PASSWORD.offset, STATION_PASSWORD.length) };
}

export async function findWifiCredentials(read: AsyncRead, flashSize: number): Promise<WifiCredentials> {
  if (flashSize < 0x10000) return { present: false, ssid: null, offset: null, passwordStored: false };
  const size = sdkTailSize(await read(0, 4), flashSize);
  for (const offset of dataSectorOffsets(size)) {
    const station = readStationConfig(await read(offset, 0x80));
    if (station)
      return { present: true, ssid: station.ssid, offset, passwordStored: station.password !== null };
  }
  return { present: false, ssid: null, offset: null, passwordStored: false };
}

export interface ScrubResult {
  bytes: Uint8Array;
  /** Flash offsets of the sectors blanked. */
  blanked: number[];
}

/** A copy with the system-param data sectors erased (0xFF). The input is not modified. */
export function scrub(bytes: Uint8Array): ScrubResult {
  const out = bytes.slice();
  const blanked: number[] = [];
  if (bytes.length < 0x10000) return { bytes: out, blanked };
  for (const offset of dataSectorOffsets(sdkTailSize(bytes, bytes.length))) {
    if (out.subarray(offset, offset + SECTOR_SIZE).some((b) => b !== 0xff)) blanked.push(offset);
    out.fill(0xff, offset, offset + SECTOR_SIZE);
  }
  return { bytes: out, blanked };
}
