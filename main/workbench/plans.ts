/**
 * A restore plan is a contract (issue 11): the plan the user confirmed is bound to the options it was
 * made with and runs at most once. A start whose options differ from the plan's (the user changed a
 * choice after planning) or that names a used or unknown plan is refused before anything is written.
 */
import { randomBytes } from 'node:crypto';
import { FlashbackError } from '../errors.js';
import type { JobParams } from './api.js';
import type { PlannedRestore } from './deps.js';
import type { RestorePlan } from '../flash/types.js';

type PlanOptions = JobParams<'plan-restore'>;
type WriteOptions = JobParams<'plan-write'>;

/** Unchanged plans are dropped after this many, oldest first (each holds an image in memory). */
const MAX_PLANS = 16;

const RESTORE_DEFAULTS = {
  flashMode: 'keep',
  full: false,
  backup: true,
  resume: false,
  resetFactoryData: false,
};

/**
 * The options as one comparable key: defaults filled in (so `{}` and `{ backup: true }` are equal),
 * lists sorted, and every other field included as given — an option added to the schema later is part
 * of the contract without anyone remembering to list it here.
 */
export function normalise(o: PlanOptions): string {
  const given = Object.entries(o).filter(([, v]) => v !== undefined);
  const all: Record<string, unknown> = { ...RESTORE_DEFAULTS, ...Object.fromEntries(given) };
  if (Array.isArray(all.preserve)) all.preserve = [...(all.preserve as string[])].sort();
  if (Array.isArray(all.preserve) && all.preserve.length === 0) delete all.preserve;
  return JSON.stringify(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]]),
  );
}

function stale(message: string): FlashbackError {
  return new FlashbackError(
    'PLAN_STALE',
    message,
    'Press "Plan restore" again, check the new plan, then confirm it.',
  );
}

/** A write-files plan's options, defaults filled in (file order does not matter). */
export function normaliseWrite(o: WriteOptions): string {
  return JSON.stringify([
    o.port,
    [...o.files].sort((a, b) => a.address - b.address).map((f) => [f.address, f.file]),
    o.flashMode ?? 'keep',
    o.flashSize ?? 'keep',
    o.backup ?? true,
  ]);
}

/** A repair plan's options, defaults filled in. */
export function normaliseRepair(o: JobParams<'plan-repair'>): string {
  return JSON.stringify([o.port, o.fixHeader ?? false, o.backup ?? true]);
}

/** Plans by id, each bound to its options (restore plans by default; write-files plans too). */
export class PlanBook<Plan = PlannedRestore, Options = PlanOptions> {
  private readonly plans = new Map<string, { plan: Plan; key: string }>();

  constructor(private readonly keyOf: (o: Options) => string = normalise as (o: Options) => string) {}

  add(plan: Plan, options: Options): string {
    const id = `plan-${randomBytes(9).toString('base64url')}`;
    this.plans.set(id, { plan, key: this.keyOf(options) });
    for (const old of this.plans.keys()) {
      if (this.plans.size <= MAX_PLANS) break;
      this.plans.delete(old);
    }
    return id;
  }

  /** Hands the plan out once, if `options` are still the ones it was made with; otherwise throws. */
  take(id: string, options: Options): Plan {
    const entry = this.plans.get(id);
    if (!entry) throw stale('That restore plan was already used or is no longer valid; nothing was written');
    // Used or outdated, a plan never runs again.
    this.plans.delete(id);
    if (entry.key !== this.keyOf(options)) {
      throw stale('The options changed after this plan was made; nothing was written');
    }
    return entry.plan;
  }
}

/**
 * What differs between the plan the user confirmed and the one the engine just made on the board,
 * right before writing (null when nothing does). The engine re-hashes the target's sectors to diff
 * them, so a board that was swapped, rewritten or re-plugged since the plan shows up here as another
 * MAC / flash chip or another set of sectors to write.
 */
export function planDrift(confirmed: RestorePlan, now: RestorePlan): string | null {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (now.image.sha256 !== confirmed.image.sha256) return 'the image changed';
  if (now.target.mac !== confirmed.target.mac) return `another board is on the port (${now.target.mac})`;
  if (
    now.target.flash.jedecId !== confirmed.target.flash.jedecId ||
    now.target.flash.size !== confirmed.target.flash.size
  )
    return 'the flash chip is not the one planned for';
  if (!same(now.flashMode, confirmed.flashMode)) return 'the flash mode changed';
  if (
    Boolean(now.resetFactoryData) !== Boolean(confirmed.resetFactoryData) ||
    now.backupFirst !== confirmed.backupFirst ||
    now.full !== confirmed.full ||
    !same(now.preserve, confirmed.preserve)
  )
    return 'the options changed';
  if (!same(now.writeSectors, confirmed.writeSectors))
    return `the board's flash changed since the plan (${now.writeSectors.length} sectors differ now, ${confirmed.writeSectors.length} planned)`;
  return null;
}
