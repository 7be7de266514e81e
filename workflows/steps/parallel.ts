/** `parallel`: runs every branch's step list concurrently and joins all of them. */
import type { ParallelStep } from '../../common/definitions/types';
import { takeLanes } from '../block-limits';
import { label, type StepExecutor } from '../runtime';
import { mapLimited } from './concurrency';

/** Executes a parallel step; output `{ branchId: lastOutput }`, or an array with `output_mode: "array"`. */
export const parallelStep: StepExecutor<ParallelStep> = async (step, run, frame, runBlock) => {
  // Every branch runs (a branch may wait for another); they count against the run's concurrent children.
  const lanes = takeLanes(run, step.branches.length, 0, true);
  try {
    const outputs = await mapLimited(step.branches.length, 0, (i) => {
      const branch = step.branches[i];
      const branchFrame = { ...frame, path: [...frame.path, label(step.id), label(branch.id)], top: false };
      return runBlock(branch.steps, run, branchFrame).then((r) => r.output);
    });
    if (step.output_mode === 'array') return { output: outputs };
    return { output: Object.fromEntries(step.branches.map((b, i) => [b.id, outputs[i]])) };
  } finally {
    lanes.release();
  }
};
