/**
 * Workflow-level status mirrored into workflow_instances through a local activity: only at transitions
 * (start, waiting, resumed, end), never per step, so mirroring costs one marker event per transition.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { MirrorStatus, MirrorWorkflowUpdate } from '../common/definitions/activity-types';
import type { StepError } from '../common/definitions/types';
import { mirrorActivities } from './activities';
import type { RunState } from './runtime';

/** Extra fields of one mirror write. */
export interface MirrorExtra {
  output?: unknown;
  /** `on_failure`: what the run's failure handler did (workflows/on-failure.ts). */
  error?: StepError & { on_failure?: unknown };
}

/** Writes the run's status (no-op when `options.mirror` is false). Never cancelled: the end state must land. */
export async function mirrorStatus(run: RunState, status: MirrorStatus, extra: MirrorExtra = {}): Promise<void> {
  if (run.input.options?.mirror === false) return;
  run.mirrorSeq += 1;
  const { input } = run;
  const update: MirrorWorkflowUpdate = {
    instanceId: input.instanceId,
    workflowId: run.workflowId,
    runId: run.runId,
    seq: run.mirrorSeq,
    status,
    currentSteps: [...run.current.keys()],
    variables: run.vars,
    at: new Date().toISOString(),
    startedAt: run.startedAt,
    ...('output' in extra && { output: extra.output }),
    ...(extra.error && { error: extra.error }),
  };
  if (status === 'running' && run.mirrorSeq === 1) {
    update.start = {
      definitionId: input.definition.workflow_id,
      definitionVersion: input.definition.version,
      ...(input.definitionRowId && { definitionRowId: input.definitionRowId }),
      input: input.input,
      ...(input.correlationKey !== undefined && { correlationKey: input.correlationKey }),
      ...(input.trigger && { trigger: input.trigger }),
    };
  }
  const write = () => mirrorActivities.mirrorWorkflow(update);
  await (CancellationScope.current().consideredCancelled ? CancellationScope.nonCancellable(write) : write());
}
