/**
 * The delivery workflow's activities: `routeEvent` (one attempt; records it in event_queue_state),
 * `deadLetterEvent`, and the sequence turn-taking `isSequenceTurn` / `finishSequence`.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import { config as loadConfig } from '../../common/config';
import { AppError, FailureType } from '../../common/errors';
import { SEQUENCE_TURN_SIGNAL, type RoutingResult } from '../../common/events/delivery';
import { addDeadLetter } from '../../db/repositories/dead-letter-queue';
import { EV, getEventByEventId } from '../../db/repositories/event-instances';
import { getQueueState, markAttempt, markDeadLettered, markDelivered, markFailed } from '../../db/repositories/event-queue-state';
import { getSequence, markSequenceDelivered } from '../../db/repositories/event-sequences';
import { nonRetryable } from '../tasks/failures';
import type { EventActivityDeps } from './deps';
import { routeToSubscriptions } from './route-subscriptions';
import { routeToTriggers } from './route-triggers';
import { engineStartRun, type StartRun } from './run-starter';

/** Input of `routeEvent`: the retry schedule, so each failed attempt can record when the next one is due. */
export interface RouteEventRequest {
  eventId: string;
  maxAttempts: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

function describe(err: unknown): { type: string; message: string } {
  if (err instanceof ApplicationFailure) return { type: err.type ?? 'ApplicationFailure', message: err.message };
  const e = err as Error;
  return { type: e?.name ?? 'Error', message: e?.message ?? String(err) };
}

/** Builds the delivery activities; `startRun` defaults to the engine's. */
export function createDeliveryActivities(deps: EventActivityDeps & { startRun?: StartRun }) {
  const { db } = deps;
  const temporal = () => deps.temporal ?? (() => { throw nonRetryable(FailureType.BadTaskConfig, 'event routing needs a Temporal client in the activity deps'); })();

  return {
    async routeEvent(req: RouteEventRequest): Promise<RoutingResult> {
      const attempt = Context.current().info.attempt;
      await markAttempt(db, req.eventId, attempt);
      try {
        const event = await getEventByEventId(db, req.eventId);
        if (!event) throw nonRetryable(FailureType.NotFound, `event ${req.eventId} is not stored`);
        const out: RoutingResult = { started: [], cancelled: [], signalled: [], skipped: [] };
        const routing = { db, temporal: temporal(), config: deps.config ?? loadConfig(), startRun: deps.startRun ?? engineStartRun() };
        await Promise.all([routeToSubscriptions(db, routing.temporal, event, out), routeToTriggers(routing, event, out)]);
        await markDelivered(db, req.eventId);
        return out;
      } catch (err) {
        const error = describe(err);
        const last = attempt >= req.maxAttempts || (err instanceof ApplicationFailure && err.nonRetryable);
        const delay = Math.min(req.initialIntervalMs * 2 ** (attempt - 1), req.maxIntervalMs);
        await markFailed(db, req.eventId, attempt, { ...error, attempt }, last ? null : new Date(Date.now() + delay));
        if (err instanceof ApplicationFailure) throw err;
        // Engine answers like "definition not found" may be fixed by an operator: keep retrying, then dead-letter.
        if (err instanceof AppError) throw ApplicationFailure.retryable(err.message, 'RoutingRejected', { status: err.status, errors: err.errors });
        throw err;
      }
    },

    async deadLetterEvent(req: { eventId: string; error: { type: string; message: string }; attempts: number; routing?: unknown }): Promise<void> {
      const q = await getQueueState(db, req.eventId);
      const event = await getEventByEventId(db, req.eventId);
      await db.transaction(async (trx) => {
        await addDeadLetter(trx, {
          event_id: req.eventId, event_instance_id: q?.event_instance_id ?? null, event_queue_state_id: q?.id ?? null,
          error: req.error, attempts: req.attempts,
          context: { event, delivery: q && { attempts: q.attempts, lastError: q.last_error, workflowId: q.temporal_workflow_id } },
        });
        await markDeadLettered(trx, req.eventId, req.error);
      });
    },

    async isSequenceTurn(req: { sequenceKey: string; sequenceNumber: number }): Promise<boolean> {
      const seq = await getSequence(db, req.sequenceKey);
      return (seq?.last_delivered_number ?? 0) >= req.sequenceNumber - 1;
    },

    /** Marks this number done and wakes the delivery of the next one (if it is already waiting). */
    async finishSequence(req: { sequenceKey: string; sequenceNumber: number }): Promise<void> {
      await markSequenceDelivered(db, req.sequenceKey, req.sequenceNumber);
      const next = await db(`${EV}.event_queue_state`).where({ consumer: 'router', sequence_key: req.sequenceKey, sequence_number: req.sequenceNumber + 1 }).first('event_id');
      if (!next || !deps.temporal) return;
      try {
        await deps.temporal.workflow.getHandle(`evt:${next.event_id}`).signal(SEQUENCE_TURN_SIGNAL);
      } catch (err) {
        // Not started yet (it checks its turn when it starts) or already finished: nothing to wake.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}
