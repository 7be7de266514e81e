/**
 * Enforcing an evaluation's {@link ExpressionLimits} through JSONata's own evaluation hook: JSONata calls the
 * function bound to `Symbol.for('jsonata.__evaluate_exit')` after every node it evaluates (the hook its
 * "timebox" test helper uses). The hook counts the node as a step and checks its result's size, so a runaway
 * loop or an allocation that grows step by step stops at the limit, deterministically. Depth and sequence
 * length use JSONata's own `stack` and `sequence` options (checked synchronously, before allocating).
 *
 * Compiled expressions are shared, so the hook is bound once per compiled expression and finds the state of
 * the current evaluation in that evaluation's root frame (`environment.base`), under a name no JSONata
 * variable can spell.
 */
import { ExpressionLimitError, type ExpressionLimits } from './limits';
import { jsonSize, type SizeMemo } from './measure';

/** What JSONata passes as `this` to built-in functions. */
export interface Focus {
  environment: Environment;
  input: unknown;
  createSequence(...items: unknown[]): unknown[];
}

/** The part of a JSONata evaluation frame the budget uses. */
export interface Environment {
  lookup(name: string): unknown;
  base: Environment;
}

/** The running totals of one evaluation. */
export interface BudgetState {
  readonly limits: ExpressionLimits;
  steps: number;
  readonly sizes: SizeMemo;
}

/** The binding name of the state: a leading space cannot appear in a JSONata variable name. */
export const BUDGET_BINDING = ' budget';

/** Fresh state for one evaluation, to bind under {@link BUDGET_BINDING}. */
export function newBudget(limits: ExpressionLimits): BudgetState {
  return { limits, steps: 0, sizes: new WeakMap() };
}

function stateOf(env: Environment): BudgetState {
  return env.base.lookup(BUDGET_BINDING) as BudgetState;
}

/** The limits of the evaluation a built-in function is called from. */
export function limitsOf(focus: Focus): ExpressionLimits {
  return stateOf(focus.environment).limits;
}

function spend(state: BudgetState, steps: number): void {
  state.steps += steps;
  if (state.steps > state.limits.steps) throw new ExpressionLimitError('steps', state.limits.steps);
}

/** Counts work a built-in function does outside evaluated nodes against the step budget. */
export function chargeSteps(focus: Focus, steps: number): void {
  spend(stateOf(focus.environment), steps);
}

/** Throws when `value` is over a size limit (strings, arrays, objects by their JSON size). */
export function checkValue(state: BudgetState, value: unknown): void {
  const { limits } = state;
  if (typeof value === 'string') {
    if (value.length > limits.stringLength) throw new ExpressionLimitError('stringLength', limits.stringLength);
  } else if (value !== null && typeof value === 'object') {
    if (Array.isArray(value) && value.length > limits.arrayLength)
      throw new ExpressionLimitError('arrayLength', limits.arrayLength);
    if (jsonSize(value, limits.resultSize, state.sizes) > limits.resultSize)
      throw new ExpressionLimitError('resultSize', limits.resultSize);
  }
}

// Nodes that make new strings: operators (`&`) and function calls. A path, a variable or a literal only hands on
// a string that already exists (in the run's input or a step's output, bounded by Temporal's payload limit), so
// reading a 1.5 MB field is not an allocation to refuse.
const MAKES_STRINGS = new Set(['binary', 'function', 'apply', 'partial']);

/** The evaluate-exit hook: one step per evaluated node, and the node's result within the size limits. */
export function onEvaluateExit(
  expr: { type?: string } | undefined,
  _input: unknown,
  env: Environment,
  result: unknown,
): void {
  const state = stateOf(env);
  spend(state, 1);
  if (typeof result === 'string' && !MAKES_STRINGS.has(expr?.type ?? '')) return;
  checkValue(state, result);
}
