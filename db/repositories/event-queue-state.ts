/** event_processing_service.event_queue_state: where each event is in its delivery pipeline (one 'router' row per event, one row per workflow an event was signalled to). */
import type { Db } from './sql';
import { EV } from './event-instances';

export const EVENT_QUEUE_STATE = `${EV}.event_queue_state`;
const TABLE = EVENT_QUEUE_STATE;

/** Delivery states; 'failed' = an attempt failed and another is scheduled at next_attempt_at. */
export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed' | 'dead_lettered';

/** A row of event_queue_state. */
export interface QueueStateRow {
  id: string;
  event_instance_id: string;
  event_id: string;
  consumer: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number | null;
  last_error: unknown;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  temporal_workflow_id: string | null;
  sequence_key: string | null;
  sequence_number: number | null;
  /** Hash of the sequence key (else the event id) that picks the dispatcher shard; null on delivered old rows. */
  dispatch_hash: number | null;
  created_at: Date;
  updated_at: Date;
}

/** The queue row of an event. */
export async function getQueueState(db: Db, eventId: string): Promise<QueueStateRow | undefined> {
  return (await db(TABLE).where({ event_id: eventId, consumer: 'router' }).first()) as QueueStateRow | undefined;
}

/**
 * Records that a workflow received an event by signal: a delivery row with the workflow id as consumer
 * (a later wait's look-back skips the event). Idempotent.
 */
export async function recordSignalled(
  db: Db,
  event: { id: string; eventId: string; sequenceKey: string | null; sequenceNumber: number | null },
  workflowId: string,
): Promise<void> {
  await db.raw(
    `INSERT INTO ${TABLE} (event_instance_id, event_id, consumer, status, attempts, delivered_at, sequence_key, sequence_number)
    VALUES (?, ?, ?, 'delivered', 1, now(), ?, ?) ON CONFLICT DO NOTHING`,
    [event.id, event.eventId, workflowId, event.sequenceKey, event.sequenceNumber],
  );
}

/** Records a failed attempt and when the next one is due (`retryInMs` from now, database time). */
export async function markFailed(db: Db, eventId: string, error: object, retryInMs: number): Promise<void> {
  await db(TABLE)
    .where({ event_id: eventId, consumer: 'router' })
    .whereNotIn('status', ['delivered', 'dead_lettered'])
    .update({
      status: 'failed',
      last_error: JSON.stringify(error),
      next_attempt_at: db.raw(`now() + (? || ' milliseconds')::interval`, [retryInMs]),
    });
}

/** Marks the event delivered. */
export async function markDelivered(db: Db, eventId: string): Promise<void> {
  await db(TABLE)
    .where({ event_id: eventId, consumer: 'router' })
    .update({ status: 'delivered', delivered_at: db.fn.now(), next_attempt_at: null, last_error: null });
}

/** Marks the event dead-lettered. */
export async function markDeadLettered(db: Db, eventId: string, error: object): Promise<void> {
  await db(TABLE)
    .where({ event_id: eventId, consumer: 'router' })
    .update({ status: 'dead_lettered', last_error: JSON.stringify(error), next_attempt_at: null });
}

/** Resets a dead-lettered event for a new attempt cycle (redrive); false when it is not dead-lettered. */
export async function resetForRedrive(db: Db, eventId: string): Promise<boolean> {
  const n = await db(TABLE)
    .where({ event_id: eventId, consumer: 'router', status: 'dead_lettered' })
    .update({ status: 'pending', attempts: 0, next_attempt_at: db.fn.now() });
  return n > 0;
}

// Stale rows a sweep samples for their shards.
const STALE_SAMPLE = 1000;

/**
 * The shards (indexes under `shardCount`) of a dispatcher with events still undelivered more than `graceMs` after
 * they were due: `pending` ones whose wake-up after their commit was lost (API died, Temporal unreachable),
 * `failed` ones whose retry was not taken, and `delivering` ones whose lease ended (their claimer died mid-route).
 * Served by the dispatch index; looks at the oldest STALE_SAMPLE such rows only (a later sweep finds the rest).
 */
export async function staleShards(
  db: Db,
  dispatcherId: string,
  graceMs: number,
  shardCount: number,
): Promise<number[]> {
  const { rows } = (await db.raw(
    `SELECT DISTINCT shard FROM (
      SELECT mod(COALESCE(dispatch_hash, 0), CAST(:shardCount AS int)) AS shard FROM ${TABLE}
      WHERE consumer = 'router' AND temporal_workflow_id = :dispatcherId
        AND status IN ('pending', 'failed', 'delivering')
        AND next_attempt_at < now() - make_interval(secs => CAST(:graceMs AS float8) / 1000)
      ORDER BY next_attempt_at LIMIT ${STALE_SAMPLE}) s ORDER BY shard`,
    { dispatcherId, graceMs, shardCount },
  )) as { rows: Array<{ shard: number }> };
  return rows.map((r) => Number(r.shard));
}
