/**
 * Limits of block steps (foreach, parallel) and of the work one workflow task may do. Shared by definition
 * validation (static checks, 422) and the interpreter (run-time checks), sandbox-safe. Fixed by the platform,
 * not configurable: the interpreter reads them as code, so a run replays with the limits it ran with
 * (docs/definition-language.md, "Limits").
 *
 * Why these values: in the workflow sandbox every promise costs a source-mapped stack capture, so one step
 * costs up to about a millisecond of CPU; a workflow task that runs past the SDK's 5 s deadlock timeout is
 * terminated mid-microtask, which corrupts Node's async-hook stack and aborts the whole worker process.
 * History: a task iteration costs about four history events; Temporal refuses a history past 51,200 events.
 */
import { FailureType } from '../errors/catalogue';
export const BLOCK_LIMITS = {
  /** Most items one foreach may iterate over (literal arrays are checked at validation, expressions at run time). */
  foreachMaxItems: 2000,
  /** Most branches of one parallel step. */
  parallelMaxBranches: 100,
  /** Largest `concurrency` of a foreach; `0` means this many. */
  foreachMaxConcurrency: 100,
  /**
   * Iterations and branches running at once across a whole run (nested blocks included). Parallel branches
   * always all run and count against it; a foreach gets extra lanes only while the run has room.
   */
  maxConcurrentChildren: 200,
  /** Steps one workflow activation runs before the interpreter ends it (a no-op local activity) and goes on. */
  stepsPerActivation: 200,
  /**
   * JSONata evaluation steps one activation spends before the interpreter ends it at the next step boundary: one
   * expression's whole budget (common/expressions/limits.ts), so many expressions cannot add up past the SDK's
   * deadlock timeout either.
   */
  expressionStepsPerActivation: 2_500,
} as const;

/** The error type of a run-time limit breach (catchable in a definition, never retried). */
export const LIMIT_EXCEEDED = FailureType.LimitExceeded;
