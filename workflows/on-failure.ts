/**
 * `on_failure` (#15): what a run does once when it fails for good (failed or timed out; never when cancelled or
 * terminated), before its failure is mirrored: start another stored definition as an abandoned child (it outlives
 * the failed run) or emit an event. `$failure` is the run's error in the handler's templates. A handler that fails
 * is logged and recorded on the run's error (`error.on_failure`); the run's own failure stays what it was. A run
 * started as a failure handler runs no handler of its own.
 */
import { CancellationScope, log, ParentClosePolicy, startChild, uuid4 } from '@temporalio/workflow';
import type { OnFailure, StepError } from '../common/definitions/types';
import { engineActivities } from './activities';
import { INTERPRETER_WORKFLOW_TYPE, type InterpreterWorkflow } from './api';
import { evaluate } from './expressions';
import { checkPayloadSize } from './payload-check';
import type { Frame, RunState } from './runtime';
import { stepContext } from './steps/context';
import { childStart } from './steps/sub-workflow';
import { toStepError } from './step-errors';

/** The step id the handler's activities and child are named by. */
export const ON_FAILURE_ID = 'on_failure';

/** What the handler did, recorded on the failed run's error. */
export type OnFailureOutcome =
  | { type: 'sub_workflow'; instance_id: string; workflow_id: string; version: string }
  | { type: 'emit_event'; event: string; event_id: string }
  | { type: OnFailure['type']; error: StepError };

/** Runs the definition's failure handler, if any (shielded from a cancellation: the run failed, it was not cancelled). */
export async function runOnFailure(run: RunState, error: StepError): Promise<OnFailureOutcome | undefined> {
  const handler = run.input.definition.on_failure;
  // A failure handler's own failure runs no handler: a handler that fails every time cannot start a chain.
  if (!handler || run.input.trigger?.kind === 'on_failure') return undefined;
  return CancellationScope.nonCancellable(async () => {
    try {
      return await (handler.type === 'sub_workflow'
        ? startHandlerChild(run, handler, error)
        : emit(run, handler, error));
    } catch (err) {
      const failure = toStepError(err);
      log.warn('on_failure handler failed', {
        handler: handler.type,
        errorType: failure.type,
        message: failure.message,
      });
      return { type: handler.type, error: failure };
    }
  });
}

const top: Frame = { path: [], overlays: [], top: true };

async function startHandlerChild(
  run: RunState,
  handler: Extract<OnFailure, { type: 'sub_workflow' }>,
  error: StepError,
): Promise<OnFailureOutcome> {
  const { resolveDefinition } = engineActivities(`on_failure: resolve ${handler.workflow}`, run.input.options);
  const resolved = await resolveDefinition({
    workflow_id: handler.workflow,
    ...(handler.version !== undefined && { version: handler.version }),
  });
  const def = run.input.definition;
  const template = handler.input ?? {
    failure: '{% $failure %}',
    instance_id: '{% $workflow.instanceId %}',
    workflow_id: def.workflow_id,
    version: def.version,
    input: '{% $input %}',
  };
  const input = await evaluate(template, run, top, 'on_failure input', { failure: error });
  const { child, searchAttributes } = childStart(run, resolved, input, 'on_failure');
  checkPayloadSize(run, `the start input of on_failure (child ${resolved.definition.workflow_id})`, [child]);
  await startChild<InterpreterWorkflow>(INTERPRETER_WORKFLOW_TYPE, {
    args: [child],
    workflowId: `${run.workflowId}/${ON_FAILURE_ID}`,
    searchAttributes,
    // The handler outlives the failed run.
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `on_failure: ${resolved.definition.workflow_id}@${resolved.definition.version}`,
  });
  return {
    type: 'sub_workflow',
    instance_id: child.instanceId,
    workflow_id: resolved.definition.workflow_id,
    version: resolved.definition.version,
  };
}

async function emit(
  run: RunState,
  handler: Extract<OnFailure, { type: 'emit_event' }>,
  error: StepError,
): Promise<OnFailureOutcome> {
  const payload =
    handler.payload === undefined
      ? { failure: error, instance_id: run.input.instanceId, workflow_id: run.input.definition.workflow_id }
      : await evaluate(handler.payload, run, top, 'on_failure payload', { failure: error });
  const eventId = uuid4();
  const { emitEvent } = engineActivities(`on_failure: emit ${handler.event}`, run.input.options);
  await emitEvent({ pattern: handler.event, payload, ctx: stepContext(run, top, ON_FAILURE_ID), eventId });
  return { type: 'emit_event', event: handler.event, event_id: eventId };
}
