/**
 * `sub_workflow`: resolves another stored definition (pinned version or latest active) through an activity,
 * so the resolved snapshot is in history, then runs it as a child interpreter with a deterministic id.
 */
import { executeChild, patched, uuid4 } from '@temporalio/workflow';
import type { ResolvedDefinition } from '../../common/contracts/definitions';
import type { InterpreterInput, SubWorkflowStep } from '../../common/definitions/types';
import { AosCorrelationKey, AosDefinitionId, AosDefinitionVersion, AosTrigger } from '../../common/search-attributes';
import { engineActivities } from '../activities';
import { evaluate } from '../expressions';
import { checkPayloadSize } from '../payload-check';
import { stepPath, type RunState, type StepExecutor } from '../runtime';
import { INTERPRETER_WORKFLOW_TYPE, type InterpreterWorkflow } from '../api';

/** Patch id of per-execution child workflow ids (histories from before it replay with the shared id). */
export const CHILD_ID_PER_EXECUTION_PATCH = 'sub-workflow-child-id-per-execution';

/**
 * The child's workflow id: `<parent>/<step path>` for the first execution at that path, `#<n>` appended for
 * the n-th (a step retry or a loop back to the step). Each execution is its own instance: with one shared
 * id the mirror could not insert the second child's row (workflow_instances.temporal_workflow_id is unique).
 */
export function childWorkflowId(run: RunState, path: string): string {
  const n = (run.childStarts[path] ?? 0) + 1;
  run.childStarts[path] = n;
  const base = `${run.workflowId}/${path}`;
  // Only a repeated execution changes anything, so only it asks for the patch (first executions add no marker).
  return n > 1 && patched(CHILD_ID_PER_EXECUTION_PATCH) ? `${base}#${n}` : base;
}

/** Executes a sub_workflow step; output: the child's output. */
export const subWorkflowStep: StepExecutor<SubWorkflowStep> = async (step, run, frame) => {
  const { resolveDefinition } = engineActivities(
    `${step.id}: resolve ${step.workflow}${step.version ? `@${step.version}` : ''}`,
    run.input.options,
  );
  const resolved = await resolveDefinition({
    workflow_id: step.workflow,
    ...(step.version !== undefined && { version: step.version }),
  });
  const input = await evaluate(step.input ?? '{% $input %}', run, frame, `step "${step.id}" input`);
  const { child, searchAttributes } = childStart(run, resolved, input, 'sub_workflow');
  checkPayloadSize(run, `the start input of step "${step.id}" (child ${resolved.definition.workflow_id})`, [child]);
  const output = await executeChild<InterpreterWorkflow>(INTERPRETER_WORKFLOW_TYPE, {
    args: [child],
    workflowId: childWorkflowId(run, stepPath(frame, step.id)),
    searchAttributes,
    staticSummary: `${step.id}: ${resolved.definition.workflow_id}@${resolved.definition.version}`,
  });
  return { output };
};

/** A child run's start input and search attributes: the parent's correlation key, options and starter carry over. */
export function childStart(
  run: RunState,
  resolved: ResolvedDefinition,
  input: unknown,
  kind: 'sub_workflow' | 'on_failure',
): { child: InterpreterInput; searchAttributes: Record<string, string[]> } {
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
    trigger: {
      kind,
      parentInstanceId: run.input.instanceId,
      ...(cause !== undefined && { causeEventId: cause }),
      // The child acts for the parent's starter: its human tasks apply the same self-approval rule.
      ...(trigger?.startedBy !== undefined && { startedBy: trigger.startedBy }),
    },
    ...(options && { options }),
  };
  const searchAttributes: Record<string, string[]> = {
    [AosDefinitionId.name]: [resolved.definition.workflow_id],
    [AosDefinitionVersion.name]: [resolved.definition.version],
    [AosTrigger.name]: [kind],
    ...(correlationKey !== undefined && { [AosCorrelationKey.name]: [correlationKey] }),
  };
  return { child, searchAttributes };
}
