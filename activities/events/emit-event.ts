/**
 * `emitEvent` adapter: checks the payload, publishes through ingest, turns refusals into non-retryable failures.
 * Runs in an `event.emit <pattern>` span (child of the active context: the activity's, from Temporal's
 * interceptors) whose context the event carries as `metadata.traceparent`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { EmitEventRequest, EmitEventResult, InterpreterEventActivities } from '../../common/contracts/events';
import { AppError, FailureType } from '../../common/errors';
import { fromAppError, nonRetryable } from '../../common/errors/failures';
import { emitWorkflowEvent } from '../../services/events/emit';
import { SpanAttr, withSpan } from '../../common/telemetry';
import { EventSpanName } from '../../services/events/tracing';
import type { EventActivityDeps } from './deps';

/** Builds the activity. */
export function createEmitEventActivity(deps: EventActivityDeps): Pick<InterpreterEventActivities, 'emitEvent'> {
  return {
    emitEvent: (req: EmitEventRequest) =>
      withSpan(EventSpanName.emit(req.pattern), { attributes: emitAttributes(req) }, () => emit(deps, req)),
  };
}

function emitAttributes({ eventId, pattern, ctx }: EmitEventRequest): Attributes {
  return {
    [SpanAttr.eventId]: eventId,
    [SpanAttr.eventPattern]: pattern,
    [SpanAttr.instanceId]: ctx.instanceId,
    [SpanAttr.temporalWorkflowId]: ctx.workflowId,
    [SpanAttr.definitionId]: ctx.definitionId,
    [SpanAttr.stepId]: ctx.stepId,
  };
}

async function emit(deps: EventActivityDeps, req: EmitEventRequest): Promise<EmitEventResult> {
  if (req.payload === null || typeof req.payload !== 'object' || Array.isArray(req.payload)) {
    throw nonRetryable(FailureType.SchemaViolation, `emit_event "${req.pattern}": payload must be an object`);
  }
  const ingest = { db: deps.db, temporal: deps.temporal, config: deps.config, logger: deps.logger, handoff: true };
  try {
    return await emitWorkflowEvent(ingest, { ...req, payload: req.payload as Record<string, unknown> });
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      const type =
        err.status === 422 && err.errors.some((e) => e.pointer.endsWith('/pattern'))
          ? FailureType.NotFound
          : FailureType.SchemaViolation;
      throw fromAppError(err, `emit_event "${req.pattern}": ${err.message}`, type, { errors: err.errors });
    }
    throw err;
  }
}
