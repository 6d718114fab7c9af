/**
 * One exit-code table for every command: every error code maps to a row of the table (a new code
 * without a kind fails here and in the type check), every code the sources throw is a known one, and
 * `--help` and the README state the same table and the same code lists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXIT,
  EXIT_TABLE,
  errorCodesExiting,
  exitCodeFor,
  exitCodeHelp,
  exitCodeOf,
} from '../../main/cli/exit-codes.js';
import { ERROR_CODES, ERROR_KINDS, FlashbackError, type ErrorCode } from '../../main/errors.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

/** Codes passed to `new FlashbackError(` anywhere in main/, app/ and renderer/ (across line breaks). */
function thrownCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of ['main', 'app', 'renderer']) {
    for (const file of sources(path.join(ROOT, dir))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new FlashbackError\(\s*'([A-Za-z_]+)'/g))
        found.set(m[1]!, path.relative(ROOT, file));
    }
  }
  return found;
}

describe('the exit-code table covers every error code', () => {
  it('every code maps to one of the table’s exit codes', () => {
    const table = new Set(EXIT_TABLE.map(([code]) => code));
    expect(ERROR_CODES.length).toBeGreaterThan(20);
    for (const code of ERROR_CODES) {
      const exit = exitCodeOf(code);
      expect(table.has(exit), `${code} → ${exit}`).toBe(true);
      expect(exitCodeFor(new FlashbackError(code, 'm', 'h'))).toBe(exit);
    }
    // The codes issue 11 names, where a missing mapping showed first.
    const named: Array<[ErrorCode, number]> = [
      ['OUTSIDE_PLAN_CHANGED', EXIT.fail],
      ['PORT_STALLED', EXIT.fail],
      ['NOT_CONFIRMED', EXIT.usage],
      ['ABORTED', EXIT.interrupted],
      ['PLAN_STALE', EXIT.fail],
      ['BAD_PORT_SPEC', EXIT.usage],
    ];
    for (const [code, exit] of named) expect(exitCodeOf(code), code).toBe(exit);
  });

  it('every code the sources throw is in the table (none slips past with a cast)', () => {
    const thrown = thrownCodes();
    expect(thrown.size).toBeGreaterThan(15);
    for (const [code, file] of thrown)
      expect(Object.hasOwn(ERROR_KINDS, code), `${code} in ${file}`).toBe(true);
  });

  it('--help states the table and which codes exit 2 and 130', () => {
    const help = exitCodeHelp().replace(/\s+/g, ' ');
    for (const [code, meaning] of EXIT_TABLE) expect(help).toContain(`${code} ${meaning}`);
    for (const code of [...errorCodesExiting(EXIT.usage), ...errorCodesExiting(EXIT.interrupted)])
      expect(help).toContain(code);
    expect(help).toMatch(/every other code exits 1/);
  });

  it('the README states the same table and the same code lists', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [code] of EXIT_TABLE) expect(readme).toMatch(new RegExp(`^\\| ${code} +\\| \\S`, 'm'));
    const para =
      /With `--json` the error's `code` says which error it was: ([^]*?) exit 2; ([^]*?) exits 130;/.exec(
        readme.replace(/\s+/g, ' '),
      );
    expect(para, 'README paragraph listing the codes').not.toBeNull();
    const list = (s: string) => s.match(/[A-Z_]{3,}/g)!.sort();
    expect(list(para![1]!)).toEqual([...errorCodesExiting(EXIT.usage)].sort());
    expect(list(para![2]!)).toEqual([...errorCodesExiting(EXIT.interrupted)].sort());
  });
});
