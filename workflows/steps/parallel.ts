/** `parallel`: runs every branch's step list concurrently and joins all of them. */
import type { ParallelStep } from '../../common/definitions/types';
import { label, type StepExecutor } from '../runtime';
import { mapLimited } from './concurrency';

/** Executes a parallel step; output `{ branchId: lastOutput }`, or an array with `output_mode: "array"`. */
export const parallelStep: StepExecutor<ParallelStep> = async (step, run, frame, runBlock) => {
  const outputs = await mapLimited(step.branches.length, 0, (i) => {
    const branch = step.branches[i];
    const branchFrame = { ...frame, path: [...frame.path, label(step.id), label(branch.id)], top: false };
    return runBlock(branch.steps, run, branchFrame).then((r) => r.output);
  });
  if (step.output_mode === 'array') return { output: outputs };
  return { output: Object.fromEntries(step.branches.map((b, i) => [b.id, outputs[i]])) };
};
