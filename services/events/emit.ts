/** An `emit_event` step's event: published through the same ingest path as `POST /events`. */
import type { EmitEventRequest, EmitEventResult } from '../../common/contracts/events';
import { runTrigger } from '../../db/repositories/event-runs';
import type { StoredEvent } from '../../db/repositories/event-instances';
import { traceHeaders } from '../../common/telemetry';
import { publishEvent, type EventDeps } from './ingest';

/**
 * Publishes a workflow's event, sourced from its step and correlated with the run (causationId: the event
 * that started the run, when an event did). The event id comes from the workflow (seeded uuid), so a retry is
 * answered idempotently. Throws ingest's AppErrors (422 when the event is not accepted).
 *
 * Its publisher is the run's starter (`trigger.startedBy`, read from the run's row, not from the workflow), or
 * nobody when the run has none: a run acts for whoever started it, so a run it triggers has the same starter
 * and a human_task forbidding self-approval there cannot be approved by that user either (routing a request
 * through an emitted event does not launder it).
 *
 * Its `metadata.traceparent` is the active context (the emit activity's `event.emit` span), so the event's
 * ingest span, and whatever the event starts or resumes, continue the emitting run's trace.
 */
export async function emitWorkflowEvent(
  deps: EventDeps,
  req: EmitEventRequest & { payload: Record<string, unknown> },
): Promise<EmitEventResult> {
  const { ctx } = req;
  const run = await runTrigger(deps.db, ctx.instanceId);
  const causationId = run?.trigger?.eventId;
  const starter = run?.trigger?.startedBy;
  const { event } = await publishEvent(
    deps,
    {
      eventId: req.eventId,
      pattern: req.pattern,
      payload: req.payload,
      source: {
        type: 'workflow',
        id: ctx.workflowId,
        name: `${ctx.definitionId}@${ctx.definitionVersion}#${ctx.stepId}`,
        ...req.source,
      },
      metadata: {
        ...(ctx.correlationKey !== undefined && { correlationId: ctx.correlationKey }),
        ...(causationId && { causationId }),
        context: { type: 'global', id: ctx.instanceId },
        tags: { workflowId: ctx.workflowId, stepId: ctx.stepId },
        ...traceHeaders(),
      },
    },
    { at: '/event', ...(typeof starter === 'string' && { publishedBy: starter }) },
  );
  return storedEnvelope(event);
}

/** The stored event as the step's output: what `GET /events/{id}` shows, without the row's internal ids. */
function storedEnvelope(event: StoredEvent): EmitEventResult {
  return {
    eventId: event.eventId,
    pattern: event.pattern,
    version: event.version,
    source: event.source,
    timestamp: event.timestamp,
    payload: event.payload,
    metadata: event.metadata,
    sequenceKey: event.sequenceKey,
    sequenceNumber: event.sequenceNumber,
    publishedBy: event.publishedBy,
  };
}
