/**
 * A restore plan is a contract (issue 11): the plan the user confirmed is bound to the options it was
 * made with and runs at most once. A start whose options differ from the plan's (the user changed a
 * choice after planning) or that names a used or unknown plan is refused before anything is written.
 */
import { randomBytes } from 'node:crypto';
import { FlashbackError } from '../errors.js';
import type { JobParams } from './api.js';
import type { PlannedRestore } from './deps.js';

type PlanOptions = JobParams<'plan-restore'>;

/** Unchanged plans are dropped after this many, oldest first (each holds an image in memory). */
const MAX_PLANS = 16;

/** The options with their defaults filled in, so `{}` and `{ backup: true }` compare equal. */
function normalise(o: PlanOptions): string {
  return JSON.stringify([
    o.port,
    o.image,
    o.flashMode ?? 'keep',
    o.full ?? false,
    o.backup ?? true,
    [...(o.preserve ?? [])].sort(),
  ]);
}

function stale(message: string): FlashbackError {
  return new FlashbackError(
    'PLAN_STALE',
    message,
    'Press "Plan restore" again, check the new plan, then confirm it.',
  );
}

export class PlanBook {
  private readonly plans = new Map<string, { plan: PlannedRestore; key: string }>();

  add(plan: PlannedRestore, options: PlanOptions): string {
    const id = `plan-${randomBytes(9).toString('base64url')}`;
    this.plans.set(id, { plan, key: normalise(options) });
    for (const old of this.plans.keys()) {
      if (this.plans.size <= MAX_PLANS) break;
      this.plans.delete(old);
    }
    return id;
  }

  /** Hands the plan out once, if `options` are still the ones it was made with; otherwise throws. */
  take(id: string, options: PlanOptions): PlannedRestore {
    const entry = this.plans.get(id);
    if (!entry) throw stale('That restore plan was already used or is no longer valid; nothing was written');
    // Used or outdated, a plan never runs again.
    this.plans.delete(id);
    if (entry.key !== normalise(options)) {
      throw stale('The options changed after this plan was made; nothing was written');
    }
    return entry.plan;
  }
}
