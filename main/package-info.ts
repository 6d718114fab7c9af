/**
 * Where the installed Flashback package is and which version it is: the one place the version is read
 * (from package.json). Found by walking up from this module, so it holds from the sources (main/), the
 * bundle (dist/) and the desktop package (app.asar) alike.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageInfo {
  root: string;
  version: string;
}

let cached: PackageInfo | null = null;

function find(): PackageInfo {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'flashback' && pkg.version) return { root: dir, version: pkg.version };
    } catch {
      // no package.json here: keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error('flashback: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

function info(): PackageInfo {
  return (cached ??= find());
}

/** The folder holding Flashback's package.json (the repository root, or the app inside the package). */
export const packageRoot = (): string => info().root;

/** Flashback's version, from package.json. */
export const packageVersion = (): string => info().version;
