/**
 * The budget every JSONata expression runs under, wherever it is evaluated (workflow steps, task templates,
 * transform tasks, trigger conditions, correlation keys and input mappings). The limits are counts, never
 * wall-clock time, so inside workflows the same history always fails (or not) at the same point.
 */

/** What one evaluation of one expression may spend. */
export interface ExpressionLimits {
  /** Evaluated expression nodes (every path step, operator, function call, lambda body...). */
  readonly steps: number;
  /** Nesting of evaluation (recursion of non-tail-recursive functions counts here). */
  readonly depth: number;
  /** Longest string any node may produce, in UTF-16 code units. */
  readonly stringLength: number;
  /** Most items any array or sequence may hold (also the largest `[a..b]` range). */
  readonly arrayLength: number;
  /** Largest object or array any node may produce, as (estimated) JSON text, in characters. */
  readonly resultSize: number;
}

/**
 * The defaults, used everywhere except transform tasks' steps (TRANSFORM_MAX_STEPS). Fixed in code so workflow
 * code can read them deterministically; changing them changes what replays, so it is a code change.
 *
 * The step budget is sized for the workflow sandbox, the slowest place to evaluate: there every promise
 * records a stack trace for Temporal's stack-trace query, and JSONata creates several per step, so a step costs
 * ~0.1-0.5 ms (measured on a loaded 2-core machine: 5,000 steps took 2.3 s in a cold worker) and 2,500 steps
 * stay well inside the 5 s a workflow task may run. That is about a `$map` over several hundred items. On the worker's main thread
 * (templates, triggers) the same budget is a few tens of milliseconds. Heavy data shaping belongs in a
 * `transform` task, which runs in a thread with its own, larger budget.
 */
export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = Object.freeze({
  steps: 2_500,
  depth: 1_000,
  stringLength: 1_000_000,
  arrayLength: 100_000,
  resultSize: 4_000_000,
});

/** The name of each limit as error messages and `details.limit` give it. */
export type LimitName = keyof ExpressionLimits;

const WHAT: Record<LimitName, string> = {
  steps: 'evaluation steps',
  depth: 'nesting depth',
  stringLength: 'characters in a string',
  arrayLength: 'items in an array',
  resultSize: 'characters of JSON in a value',
};

// Thousands separators without Intl (its data can differ between the sandbox and Node).
const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Thrown when an evaluation goes over one of its limits (JSONata itself cannot catch it). */
export class ExpressionLimitError extends Error {
  /** Lets JSONata's error plumbing keep our message (it rewrites messages only for its own codes). */
  readonly code = 'ExpressionLimit';
  constructor(
    readonly limit: LimitName,
    readonly max: number,
    what = WHAT[limit],
  ) {
    super(`expression budget exceeded: more than ${grouped(max)} ${what} (limit "${limit}")`);
    this.name = 'ExpressionLimitError';
  }
}
