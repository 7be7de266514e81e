/**
 * Records the outcome of one delivery attempt in event_queue_state: delivered; failed with the next attempt
 * scheduled by exponential backoff; or dead-lettered (dead_letter_queue row) once attempts are exhausted or
 * the failure cannot be retried. A delivered or dead-lettered event passes its sequence's turn in the same
 * transaction, so the next number is never blocked by a half-recorded outcome.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Config } from '../../../common/config';
import { AppError, FailureType } from '../../../common/errors';
import { addDeadLetter } from '../../../db/repositories/dead-letter-queue';
import type { ClaimedEvent } from '../../../db/repositories/event-queue-claim';
import { getQueueState, markDeadLettered, markDelivered, markFailed } from '../../../db/repositories/event-queue-state';
import { markSequenceDelivered } from '../../../db/repositories/event-sequences';
import type { StoredEvent } from '../../../db/repositories/event-instances';

/** The outcome of one attempt; `more`: later numbers of its sequence exist (worth claiming next). */
export interface Outcome {
  status: 'delivered' | 'failed' | 'dead_lettered';
  more: boolean;
}

/** The recorded form of a routing error. Engine refusals (AppError) are `RoutingRejected`: an operator may fix them. */
export function describeError(err: unknown): { type: string; message: string } {
  if (err instanceof ApplicationFailure) return { type: err.type ?? 'ApplicationFailure', message: err.message };
  if (err instanceof AppError) return { type: FailureType.RoutingRejected, message: err.message };
  const e = err as Error;
  return { type: e?.name ?? FailureType.Error, message: e?.message ?? String(err) };
}

async function passTurn(trx: Knex, c: ClaimedEvent): Promise<boolean> {
  if (c.sequenceKey === null || c.sequenceNumber === null) return false;
  const seq = await markSequenceDelivered(trx, c.sequenceKey, c.sequenceNumber);
  return Number(seq?.last_number ?? 0) > c.sequenceNumber;
}

/** Records a successful delivery. */
export async function recordDelivered(db: Knex, c: ClaimedEvent): Promise<Outcome> {
  return db.transaction(async (trx) => {
    await markDelivered(trx, c.eventId);
    return { status: 'delivered', more: await passTurn(trx, c) };
  });
}

/** Records a failed attempt: a retry later, or a dead letter when none is left. */
export async function recordFailure(
  db: Knex,
  config: Config,
  c: ClaimedEvent,
  err: unknown,
  event: StoredEvent | undefined,
): Promise<Outcome> {
  const error = describeError(err);
  const max = c.maxAttempts ?? config.eventDeliveryMaxAttempts;
  const final = c.attempt >= max || (err instanceof ApplicationFailure && err.nonRetryable);
  if (!final) {
    const delay = Math.min(
      config.eventDeliveryInitialIntervalMs * 2 ** (c.attempt - 1),
      config.eventDeliveryMaxIntervalMs,
    );
    await markFailed(db, c.eventId, { ...error, attempt: c.attempt }, delay);
    return { status: 'failed', more: false };
  }
  const q = await getQueueState(db, c.eventId);
  return db.transaction(async (trx) => {
    await addDeadLetter(trx, {
      event_id: c.eventId,
      event_instance_id: q?.event_instance_id ?? null,
      event_queue_state_id: q?.id ?? null,
      error,
      attempts: c.attempt,
      context: {
        event: event ?? null,
        delivery: q && {
          attempts: c.attempt,
          lastError: { ...error, attempt: c.attempt },
          dispatcher: q.temporal_workflow_id,
        },
      },
    });
    await markDeadLettered(trx, c.eventId, { ...error, attempt: c.attempt });
    // A dead letter passes the turn too: one poisoned event must not block its sequence forever.
    return { status: 'dead_lettered', more: await passTurn(trx, c) };
  });
}
