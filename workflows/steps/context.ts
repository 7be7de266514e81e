/** The StepContext sent with every activity call (task_instances rows and logs are keyed by it). */
import type { StepContext } from '../../common/definitions/types';
import { stepPath, type Frame, type RunState } from '../runtime';

/** Builds the activity-side context of a step. */
export function stepContext(run: RunState, frame: Frame, stepId: string): StepContext {
  const { input } = run;
  return {
    instanceId: input.instanceId,
    workflowId: run.workflowId,
    runId: run.runId,
    definitionId: input.definition.workflow_id,
    definitionVersion: input.definition.version,
    ...(input.definitionRowId && { definitionRowId: input.definitionRowId }),
    stepId,
    stepPath: stepPath(frame, stepId),
    ...(input.correlationKey !== undefined && { correlationKey: input.correlationKey }),
    ...(input.options?.mirror === false && { mirror: false as const }),
  };
}
