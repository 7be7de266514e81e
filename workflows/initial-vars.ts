/**
 * The definition's top-level `vars`, evaluated once when a run starts (not when it continues as new: the
 * carried `$vars` win). Every entry sees `$input` and `$workflow`; `$vars` and `$steps` are still empty
 * (validation refuses references to them there).
 */
import { patched } from '@temporalio/workflow';
import { evaluate, hasExpression } from './expressions';
import type { Frame, RunState } from './runtime';

/** Patch id: histories recorded before it kept expressions in the definition's vars as literal text. */
export const EVALUATED_VARS_PATCH = 'aos-evaluate-definition-vars';

/** What happened to the initial vars: `evaluated` when expressions were evaluated into `run.vars`. */
export interface InitialVars {
  evaluated: boolean;
  /** The evaluation failed (e.g. ExpressionError): the run fails with it once its start is mirrored. */
  failure?: unknown;
}

/**
 * Evaluates the definition's vars into `run.vars` when they hold expressions; `undefined` (no promise: each
 * costs a stack capture in the sandbox) when there is nothing to evaluate and the literal vars stay.
 */
export function evaluateInitialVars(run: RunState, frame: Frame): Promise<InitialVars> | undefined {
  const vars = run.input.definition.vars;
  if (vars === undefined || !hasExpression(vars) || !patched(EVALUATED_VARS_PATCH)) return undefined;
  return evaluate(vars, run, frame, 'workflow vars', { vars: {}, steps: {} }).then(
    (value) => {
      run.vars = value as Record<string, unknown>;
      return { evaluated: true };
    },
    (failure: unknown) => {
      run.vars = {};
      return { evaluated: true, failure };
    },
  );
}
