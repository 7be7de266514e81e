/**
 * `set`: simultaneous assignment. Every entry is evaluated against `$vars` as they were before the step, then
 * all are merged into `$vars` at once, so the result never depends on the order of the entries (definitions are
 * stored as jsonb, which reorders object keys). To use one entry's new value in another, use two `set` steps.
 */
import { patched } from '@temporalio/workflow';
import type { SetStep } from '../../common/definitions/types';
import { evaluateNow, isPromise } from '../expressions';
import type { StepExecutor } from '../runtime';

/** Patch id: histories recorded before it assigned each entry at once, in key order (later ones saw earlier ones). */
export const SET_SIMULTANEOUS_PATCH = 'aos-set-simultaneous';

/** Executes a set step; its output is the assigned values. */
export const setStep: StepExecutor<SetStep> = async (step, run, frame) => {
  const entries = Object.entries(step.vars);
  // One entry cannot see itself: both semantics agree, and no patch marker is needed.
  const simultaneous = entries.length > 1 && patched(SET_SIMULTANEOUS_PATCH);
  const assigned: Record<string, unknown> = {};
  for (const [name, template] of entries) {
    const value = evaluateNow(template, run, frame, `step "${step.id}" var ${name}`);
    assigned[name] = isPromise(value) ? await value : value;
    if (!simultaneous) run.vars[name] = assigned[name];
  }
  if (simultaneous) Object.assign(run.vars, assigned);
  return { output: assigned };
};
