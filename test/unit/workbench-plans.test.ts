/** A plan is a contract: every option is part of its key, and a plan runs at most once. */
import { describe, expect, it } from 'vitest';
import type { PlannedRestore } from '../../main/workbench/deps.js';
import { PlanBook, normalise } from '../../main/workbench/plans.js';

const base = { port: 'virtual:bad', image: 'abcdef123456' };
const planned = { view: {}, handle: null } as unknown as PlannedRestore;

describe('plan options key', () => {
  it('fills defaults and ignores list order, but any changed option makes another key', () => {
    expect(normalise(base)).toBe(
      normalise({ ...base, flashMode: 'keep', full: false, backup: true, resume: false, preserve: [] }),
    );
    expect(normalise({ ...base, preserve: ['b', 'a'] })).toBe(normalise({ ...base, preserve: ['a', 'b'] }));
    const changed = [
      { ...base, image: 'abcdef654321' },
      { ...base, port: 'virtual:good' },
      { ...base, flashMode: 'dout' as const },
      { ...base, full: true },
      { ...base, backup: false },
      { ...base, preserve: ['sdk-config'] },
      { ...base, resume: true },
      { ...base, resetFactoryData: true },
      { ...base, before: 'manual' as const },
    ];
    const keys = new Set([normalise(base), ...changed.map(normalise)]);
    expect(keys.size).toBe(changed.length + 1);
  });

  it('a plan is handed out once, and only with the options it was made with', () => {
    const book = new PlanBook();
    const id = book.add(planned, base);
    expect(() => book.take(id, { ...base, preserve: ['sdk-config'] })).toThrow(/options changed/);
    expect(() => book.take(id, base)).toThrow(/already used/);
    const again = book.add(planned, base);
    expect(book.take(again, { ...base, backup: true })).toBe(planned);
    expect(() => book.take(again, base)).toThrow(expect.objectContaining({ code: 'PLAN_STALE' }));
  });
});
