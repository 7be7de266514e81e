/**
 * `sub_workflow`: resolves another stored definition (pinned version or latest active) through an activity,
 * so the resolved snapshot is in history, then runs it as a child interpreter with a deterministic id.
 */
import { executeChild, uuid4 } from '@temporalio/workflow';
import type { InterpreterInput, SubWorkflowStep } from '../../common/definitions/types';
import { engineActivities } from '../activities';
import { evaluate } from '../expressions';
import { stepPath, type StepExecutor } from '../runtime';
import type { interpreterWorkflow } from '../interpreter';

/** Executes a sub_workflow step; output: the child's output. */
export const subWorkflowStep: StepExecutor<SubWorkflowStep> = async (step, run, frame) => {
  const { resolveDefinition } = engineActivities(`${step.id}: resolve ${step.workflow}${step.version ? `@${step.version}` : ''}`);
  const resolved = await resolveDefinition({ workflow_id: step.workflow, ...(step.version !== undefined && { version: step.version }) });
  const input = await evaluate(step.input ?? '{% $input %}', run, frame, `step "${step.id}" input`);
  const { correlationKey, options, trigger } = run.input;
  // Events stored after this one are visible to the child's waits (docs/events.md, "Event visibility").
  const cause = run.lastEvent?.eventId ?? trigger?.eventId ?? trigger?.causeEventId;
  const child: InterpreterInput = {
    instanceId: uuid4(),
    definitionRowId: resolved.definitionRowId,
    definition: resolved.definition,
    tasks: resolved.tasks,
    input,
    ...(correlationKey !== undefined && { correlationKey }),
    trigger: { kind: 'sub_workflow', parentInstanceId: run.input.instanceId, ...(cause !== undefined && { causeEventId: cause }) },
    ...(options && { options }),
  };
  const searchAttributes: Record<string, string[]> = {
    AosDefinitionId: [resolved.definition.workflow_id],
    AosDefinitionVersion: [resolved.definition.version],
    AosTrigger: ['sub_workflow'],
    ...(correlationKey !== undefined && { AosCorrelationKey: [correlationKey] }),
  };
  const output = await executeChild<typeof interpreterWorkflow>('interpreterWorkflow', {
    args: [child],
    workflowId: `${run.workflowId}/${stepPath(frame, step.id)}`,
    searchAttributes,
    staticSummary: `${step.id}: ${resolved.definition.workflow_id}@${resolved.definition.version}`,
  });
  return { output };
};
