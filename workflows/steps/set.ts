/** `set`: evaluates each entry in order (later ones see earlier ones) and merges it into `$vars`. */
import type { SetStep } from '../../common/definitions/types';
import { evaluateNow, isPromise } from '../expressions';
import type { StepExecutor } from '../runtime';

/** Executes a set step; its output is the assigned values. */
export const setStep: StepExecutor<SetStep> = async (step, run, frame) => {
  const assigned: Record<string, unknown> = {};
  for (const [name, template] of Object.entries(step.vars)) {
    const value = evaluateNow(template, run, frame, `step "${step.id}" var ${name}`);
    assigned[name] = isPromise(value) ? await value : value;
    run.vars[name] = assigned[name];
  }
  return { output: assigned };
};
