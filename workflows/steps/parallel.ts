/**
 * `parallel`: runs every branch's step list concurrently and joins all of them, or (`mode: "race"`) takes the
 * first branch to finish and cancels the others.
 */
import { CancellationScope, isCancellation, log } from '@temporalio/workflow';
import type { ParallelStep } from '../../common/definitions/types';
import { takeLanes } from '../block-limits';
import { label, type BlockRunner, type Frame, type RunState, type StepExecutor } from '../runtime';
import { toStepError } from '../step-errors';
import { mapLimited } from './concurrency';

const branchFrame = (step: ParallelStep, frame: Frame, i: number): Frame => ({
  ...frame,
  path: [...frame.path, label(step.id), label(step.branches[i].id)],
  top: false,
});

/** Executes a parallel step; output `{ branchId: lastOutput }`, an array with `output_mode: "array"`, or a race's winner. */
export const parallelStep: StepExecutor<ParallelStep> = async (step, run, frame, runBlock) => {
  // Every branch runs (a branch may wait for another); they count against the run's concurrent children.
  const lanes = takeLanes(run, step.branches.length, 0, true);
  try {
    if (step.mode === 'race') return { output: await race(step, run, frame, runBlock) };
    const outputs = await mapLimited(step.branches.length, 0, (i) =>
      runBlock(step.branches[i].steps, run, branchFrame(step, frame, i)).then((r) => r.output),
    );
    if (step.output_mode === 'array') return { output: outputs };
    return { output: Object.fromEntries(step.branches.map((b, i) => [b.id, outputs[i]])) };
  } finally {
    lanes.release();
  }
};

/**
 * The first branch to finish wins; the others are cancelled and awaited, so their compensation (a `catch` for
 * `Cancelled`) completes before the step does. The first branch to fail, before any wins, fails the step the
 * same way (the others cancelled). A loser that finishes or fails after the winner is ignored (logged).
 */
async function race(
  step: ParallelStep,
  run: RunState,
  frame: Frame,
  runBlock: BlockRunner,
): Promise<{ branch: string; output: unknown }> {
  const scopes = step.branches.map(() => new CancellationScope());
  let decided: { winner: number; output: unknown } | { failed: number; error: unknown } | undefined;
  const decide = (i: number, outcome: { output: unknown } | { error: unknown }) => {
    decided = 'error' in outcome ? { failed: i, error: outcome.error } : { winner: i, output: outcome.output };
    scopes.forEach((scope, j) => j !== i && scope.cancel());
  };
  await Promise.all(
    step.branches.map((branch, i) =>
      scopes[i]
        .run(() => runBlock(branch.steps, run, branchFrame(step, frame, i)))
        .then(
          (r) => (decided ? undefined : decide(i, { output: r.output })),
          (error: unknown) => {
            if (!decided) return decide(i, { error });
            if (!isCancellation(error))
              log.info('race: a losing branch failed after the race was decided', {
                stepId: step.id,
                branch: branch.id,
                errorType: toStepError(error).type,
              });
          },
        ),
    ),
  );
  if (!decided) throw new Error(`parallel "${step.id}": race ended undecided`); // unreachable: every branch settles
  if ('failed' in decided) throw decided.error;
  return { branch: step.branches[decided.winner].id, output: decided.output };
}
