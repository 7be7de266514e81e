/** `emit_event`: publishes an event through the ingest path, with a deterministic id so retries stay idempotent. */
import { uuid4 } from '@temporalio/workflow';
import type { EmitEventRequest } from '../../common/contracts/events';
import type { EmitEventStep } from '../../common/definitions/types';
import { engineActivities } from '../activities';
import { evaluate } from '../expressions';
import type { StepExecutor } from '../runtime';
import { stepContext } from './context';

/** Executes an emit_event step; output: the stored event (`{ eventId, pattern, source, payload, metadata, ... }`). */
export const emitEventStep: StepExecutor<EmitEventStep> = async (step, run, frame) => {
  const payload =
    step.payload === undefined ? {} : await evaluate(step.payload, run, frame, `step "${step.id}" payload`);
  const source =
    step.source === undefined
      ? undefined
      : ((await evaluate(step.source, run, frame, `step "${step.id}" source`)) as EmitEventRequest['source']);
  // uuid4() is seeded per run, so replay yields the same id and a retried emit dedupes downstream.
  const eventId = uuid4();
  const { emitEvent } = engineActivities(`${step.id}: emit ${step.event}`, run.input.options);
  const ctx = stepContext(run, frame, step.id);
  return { output: await emitEvent({ pattern: step.event, payload, ctx, eventId, ...(source && { source }) }) };
};
