/**
 * The sidecar `<sha256>.json`, validated when read: a sidecar that is not JSON, lacks a field, or names
 * another image is reported as damaged (never trusted), with what is wrong.
 */
import { z } from 'zod';
import type { LibraryMeta } from './types.js';

const hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`));
const text = z.string().max(1000).nullable();

export const sidecarSchema = z.object({
  id: hex(64),
  sha256: hex(64),
  md5: hex(32),
  size: z.number().int().positive(),
  created: z.string().min(1),
  label: text,
  chip: text,
  mac: text,
  flashId: text,
  flashSize: z.number().int().positive().nullable(),
  sourcePort: text,
  layout: z
    .object({
      family: z.string(),
      regions: z.array(
        z.object({
          name: z.string(),
          start: z.number().int().nonnegative(),
          size: z.number().int().nonnegative(),
        }),
      ),
    })
    .nullable(),
  containsCredentials: z.boolean(),
  ssid: text,
  offset: z.number().int().nonnegative(),
}) satisfies z.ZodType<LibraryMeta>;

export type SidecarRead = { ok: true; meta: LibraryMeta } | { ok: false; why: string };

/** Parses sidecar text for image `id`; says what is wrong when it cannot be trusted. */
export function parseSidecar(id: string, textIn: string): SidecarRead {
  let json: unknown;
  try {
    json = JSON.parse(textIn);
  } catch {
    return { ok: false, why: 'its metadata file is not JSON (torn or edited)' };
  }
  const r = sidecarSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    return {
      ok: false,
      why: `its metadata file is invalid (${i?.path.join('.') || 'top level'}: ${i?.message})`,
    };
  }
  if (r.data.id !== id || r.data.sha256 !== id)
    return { ok: false, why: 'its metadata file describes another image' };
  return { ok: true, meta: r.data };
}

const KEPT = {
  label: true,
  chip: true,
  mac: true,
  flashId: true,
  flashSize: true,
  sourcePort: true,
  created: true,
  offset: true,
} as const;
const keptSchema = sidecarSchema.pick(KEPT).partial();

/** The user's own words from a damaged sidecar (label, board), where they still have the right type. */
export function salvage(textIn: string): z.infer<typeof keptSchema> {
  let json: unknown;
  try {
    json = JSON.parse(textIn);
  } catch {
    return {};
  }
  if (!json || typeof json !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(KEPT) as (keyof typeof KEPT)[]) {
    const v = (json as Record<string, unknown>)[k];
    if (v !== undefined && v !== null && sidecarSchema.shape[k].safeParse(v).success) out[k] = v;
  }
  return keptSchema.parse(out);
}
