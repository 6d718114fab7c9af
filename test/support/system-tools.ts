/**
 * The Debian tools some tests drive for real (socat ptys, mosquitto, Chromium, ser2net, python3). A test
 * that needs one asks here; where the tool is missing the test is skipped and one line says which Debian
 * package brings it, so a fresh clone without them still runs green (`.ci/run` installs them all).
 *
 *   const socat = systemTool('socat');
 *   describe.skipIf(socat.missing)('…', () => { spawn(socat.path, …) });
 *
 * `FLASHBACK_TEST_WITHOUT=socat,mosquitto` (or `all`) treats those tools as missing, to try the skips on
 * a machine that has them.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

interface ToolSpec {
  /** Absolute paths tried first (Debian puts daemons in /usr/sbin, often not on a user's PATH). */
  paths: string[];
  /** Command name looked up on PATH. */
  command: string;
  /** The Debian package that installs it. */
  pkg: string;
}

const TOOLS = {
  socat: { paths: [], command: 'socat', pkg: 'socat' },
  mosquitto: { paths: ['/usr/sbin/mosquitto'], command: 'mosquitto', pkg: 'mosquitto' },
  mosquitto_passwd: { paths: ['/usr/bin/mosquitto_passwd'], command: 'mosquitto_passwd', pkg: 'mosquitto' },
  chromium: {
    paths: [process.env.CHROMIUM_PATH ?? '', '/usr/bin/chromium'],
    command: 'chromium',
    pkg: 'chromium',
  },
  ser2net: { paths: ['/usr/sbin/ser2net'], command: 'ser2net', pkg: 'ser2net' },
  python3: { paths: [], command: 'python3', pkg: 'python3' },
  openssl: { paths: ['/usr/bin/openssl'], command: 'openssl', pkg: 'openssl' },
} satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;

export interface SystemTool {
  /** Absolute path of the executable ('' when missing). */
  path: string;
  missing: boolean;
  /** One line naming the Debian package, e.g. "socat is not installed (Debian package: socat)". */
  reason: string;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function locate(spec: ToolSpec, searchPath: string): string {
  for (const p of spec.paths) if (p && executable(p)) return p;
  const dirs = searchPath.split(path.delimiter).concat(['/usr/sbin', '/sbin']);
  for (const d of dirs) {
    const p = path.join(d, spec.command);
    if (d && executable(p)) return p;
  }
  return '';
}

/** Looks `name` up (its usual absolute paths, then `searchPath`, then /usr/sbin and /sbin). */
export function findTool(
  name: ToolName,
  searchPath = process.env.PATH ?? '',
  without = process.env.FLASHBACK_TEST_WITHOUT ?? '',
): SystemTool {
  const spec: ToolSpec = TOOLS[name];
  const hidden = without.split(',').some((w) => w.trim() === name || w.trim() === 'all');
  const p = hidden ? '' : locate(spec, searchPath);
  const reason = p
    ? ''
    : `${name} is not installed (Debian package: ${spec.pkg}; apt-get install ${spec.pkg})`;
  return { path: p, missing: !p, reason };
}

const found = new Map<ToolName, SystemTool>();

/**
 * Finds `name`. When missing, writes one `skipped: …` line to stderr (once per test file) so the skip
 * is explained in the test output, not just counted.
 */
export function systemTool(name: ToolName): SystemTool {
  const known = found.get(name);
  if (known) return known;
  const tool = findTool(name);
  found.set(name, tool);
  if (tool.missing) process.stderr.write(`skipped: ${tool.reason}\n`);
  return tool;
}
