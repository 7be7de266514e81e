/** `succeed`: ends the enclosing list (the workflow at top level, the branch or iteration inside a block). */
import type { SucceedStep } from '../../common/definitions/types';
import { evaluate } from '../expressions';
import type { StepExecutor } from '../runtime';

/** Executes a succeed step; its output becomes the list's (or the workflow's) output. */
export const succeedStep: StepExecutor<SucceedStep> = async (step, run, frame) => {
  const def = run.input.definition;
  // At the top level without its own output, the workflow `output` template applies.
  const template = step.output !== undefined ? step.output : frame.top && def.output !== undefined ? def.output : null;
  return { output: await evaluate(template, run, frame, `step "${step.id}" output`), end: true };
};
