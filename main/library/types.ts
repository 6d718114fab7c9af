/** The library's sidecar: what we know about one stored image (DESIGN.md "Image library"). */
export interface LibraryMeta {
  /** = sha256 (hex): the image's name in the library. */
  id: string;
  sha256: string;
  md5: string;
  size: number;
  created: string;
  label: string | null;
  chip: string | null;
  mac: string | null;
  flashId: string | null;
  flashSize: number | null;
  sourcePort: string | null;
  layout: { family: string; regions: { name: string; start: number; size: number }[] } | null;
  containsCredentials: boolean;
  /** SSID of stored WiFi credentials (never the password), when containsCredentials. */
  ssid: string | null;
  /** Flash offset the image was read from (0 for a whole-flash backup). */
  offset: number;
}

/** An entry as the API returns it: the sidecar plus where the image file is. */
export interface LibraryEntry extends LibraryMeta {
  file: string;
}

/** What a caller may say about an image it adds; the rest is computed. */
export type AddMeta = Partial<
  Pick<LibraryMeta, 'label' | 'chip' | 'mac' | 'flashId' | 'flashSize' | 'sourcePort' | 'created' | 'offset'>
> & {
  /** As detect reports it; fills flashId ("0xEF4016"-style hex of the JEDEC id) and flashSize. */
  flash?: { jedecId: number; size: number; manufacturer?: unknown };
};

export interface LibraryImage {
  bytes: Uint8Array;
  meta: LibraryEntry;
}

/** One image as `library list` shows it: intact, or what is wrong and the command that fixes it. */
export interface LibraryItem {
  id: string;
  /** corrupt: sidecar damaged or image truncated/changed; metadata-missing: an intact image, no sidecar. */
  status: 'ok' | 'corrupt' | 'metadata-missing';
  problem: string | null;
  /** The command to run next (repair for an intact image, rm otherwise); null when ok. */
  next: string | null;
  /** What fixes it: `repair` (the image is intact, only its metadata is lost) or `rm`; null when ok. */
  fix: 'repair' | 'rm' | null;
  /** The sidecar, when it could be trusted. */
  entry: LibraryEntry | null;
  file: string;
  /** Bytes of the image file on disk (0 if missing). */
  size: number;
}
