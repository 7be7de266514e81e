/**
 * Run-time side of the block limits (common/definitions/limits.ts): items per foreach, lanes taken from the
 * run's budget of concurrent children, and the step budget of one workflow task. Runs recorded before the
 * limits existed replay without them (`patched`); the patch is only consulted where a limit changes what
 * the run does, so ordinary runs carry no marker.
 */
import { CancellationScope, patched, workflowInfo } from '@temporalio/workflow';
import { BLOCK_LIMITS, LIMIT_EXCEEDED } from '../common/definitions/limits';
import { turnActivities } from './activities';
import type { RunState } from './runtime';
import { failure } from './step-errors';

/** Patch id of the block limits. */
export const BLOCK_LIMITS_PATCH = 'block-limits';

/** The run's share of the limits that lives across steps. */
export interface LimitState {
  /** Children (iterations, branches) that may still start beyond each block's first lane. */
  freeSlots: number;
  /**
   * Steps run and JSONata steps spent in the current activation (a new workflow task is known by its history
   * length). Both bound its CPU time: a step is cheap, an expression can cost up to its whole budget.
   */
  task: { historyLength: number; steps: number; expressionSteps: number };
  /** The shared local activity that ends the current activation once its step budget is spent. */
  yielding?: Promise<void>;
  /** Memoized `patched(BLOCK_LIMITS_PATCH)`. */
  applies?: boolean;
}

/** Fresh limit state of a run. */
export function initialLimitState(): LimitState {
  return { freeSlots: BLOCK_LIMITS.maxConcurrentChildren, task: { historyLength: -1, steps: 0, expressionSteps: 0 } };
}

function applies(run: RunState): boolean {
  run.limits.applies ??= patched(BLOCK_LIMITS_PATCH);
  return run.limits.applies;
}

/** Fails a foreach whose items are more than the limit, before any iteration is scheduled. */
export function checkForeachItems(run: RunState, stepId: string, count: number): void {
  const max = BLOCK_LIMITS.foreachMaxItems;
  if (count <= max || !applies(run)) return;
  throw failure(
    LIMIT_EXCEEDED,
    `step "${stepId}": foreach over ${count} items, the limit is ${max} (process larger lists in pages: docs/definition-language.md#limits)`,
    { limit: 'foreachMaxItems', max, actual: count },
  );
}

/** Lanes granted to a block and how to give them back. */
export interface Lanes {
  count: number;
  release(): void;
}

/**
 * Lanes for a block of `count` children that asks for `requested` (0 = as many as allowed). The first lane is
 * always granted (a nested block never waits for its parents' slots), the others come from the run's budget.
 * `all` (parallel) runs every child regardless and only charges the budget. `legacy` is what a run before the
 * limits did; the patch decides only where the two differ.
 */
export function takeLanes(run: RunState, count: number, requested: number, all: boolean): Lanes {
  const legacy = requested <= 0 || requested >= count ? count : requested;
  let lanes = count;
  if (!all) {
    const wanted = Math.min(count, requested <= 0 ? BLOCK_LIMITS.foreachMaxConcurrency : requested);
    lanes = 1 + Math.max(0, Math.min(wanted - 1, run.limits.freeSlots));
  }
  if (count === 0 || (lanes !== legacy && !applies(run))) return { count: legacy, release: () => {} };
  // A parallel step may overdraw the budget (its branches all run); foreach lanes then get none until it ends.
  const charged = lanes - 1;
  run.limits.freeSlots -= charged;
  return { count: lanes, release: () => void (run.limits.freeSlots += charged) };
}

/**
 * Counts a step against the current activation; once the activation has run its budget, returns a promise that
 * resolves in a later one (undefined otherwise: no promise, no cost). Bounds the CPU time of one activation,
 * which the SDK's deadlock detector would otherwise cut off by terminating the isolate (and with it the worker).
 */
export function stepBudget(run: RunState): Promise<void> | undefined {
  const t = run.limits.task;
  // A new workflow task (activity results, timers, signals) starts a new activation with a fresh budget.
  const { historyLength } = workflowInfo();
  if (historyLength !== t.historyLength) {
    t.historyLength = historyLength;
    t.steps = 0;
    t.expressionSteps = 0;
  }
  const withinBudget =
    t.steps < BLOCK_LIMITS.stepsPerActivation && t.expressionSteps < BLOCK_LIMITS.expressionStepsPerActivation;
  if (withinBudget || !applies(run)) {
    t.steps++;
    return undefined;
  }
  return nextActivation(run).then(() => stepBudget(run));
}

function nextActivation(run: RunState): Promise<void> {
  // One no-op local activity for every waiting step: its result arrives in a new activation of the same workflow
  // task (no server round trip, unlike a timer). Outside any cancellation scope: a block cancelled meanwhile must
  // not cancel what other branches wait on (they notice their own cancellation at their next await).
  run.limits.yielding ??= CancellationScope.nonCancellable(() => turnActivities.nextActivation()).then(() => {
    run.limits.yielding = undefined;
    run.limits.task.steps = 0;
    run.limits.task.expressionSteps = 0;
  });
  return run.limits.yielding;
}
