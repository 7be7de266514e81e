/** `switch`: the first case whose `when` is truthy picks the next step; else `default`, else fall through. */
import { branchLabel } from '../../common/contracts/testing';
import type { SwitchStep } from '../../common/definitions/types';
import { evaluate } from '../expressions';
import type { StepExecutor } from '../runtime';

/** Executes a switch step; its output is `{ next }`. */
export const switchStep: StepExecutor<SwitchStep> = async (step, run, frame) => {
  for (const [i, c] of step.cases.entries()) {
    if (await evaluate(c.when, run, frame, `step "${step.id}" case ${i}`)) {
      run.trail?.branches.push(branchLabel(step.id, i));
      return { output: { next: c.next }, next: c.next };
    }
  }
  run.trail?.branches.push(branchLabel(step.id, step.default === undefined ? 'none' : 'default'));
  const next = step.default ?? step.next;
  return { output: { next: next ?? null }, ...(next !== undefined && { next }) };
};
