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
  created_at: Date;
  updated_at: Date;
}

/** The queue row of an event. */
export async function getQueueState(db: Db, eventId: string): Promise<QueueStateRow | undefined> {
  return (await db(TABLE).where({ event_id: eventId, consumer: 'router' }).first()) as QueueStateRow | undefined;
}

/** Records the start of attempt `attempt` (never moves a finished delivery backwards). */
export async function markAttempt(db: Db, eventId: string, attempt: number): Promise<void> {
  await db(TABLE).where({ event_id: eventId, consumer: 'router' }).whereNotIn('status', ['delivered', 'dead_lettered'])
    .update({ status: 'delivering', attempts: db.raw('GREATEST(attempts, ?)', [attempt]), next_attempt_at: null });
}

/** Records a failed attempt and when the next one is due. */
export async function markFailed(db: Db, eventId: string, attempt: number, error: object, nextAttemptAt: Date | null): Promise<void> {
  await db(TABLE).where({ event_id: eventId, consumer: 'router' }).whereNotIn('status', ['delivered', 'dead_lettered'])
    .update({ status: 'failed', attempts: db.raw('GREATEST(attempts, ?)', [attempt]), last_error: JSON.stringify(error), next_attempt_at: nextAttemptAt });
}

/** Marks the event delivered. */
export async function markDelivered(db: Db, eventId: string): Promise<void> {
  await db(TABLE).where({ event_id: eventId, consumer: 'router' })
    .update({ status: 'delivered', delivered_at: db.fn.now(), next_attempt_at: null, last_error: null });
}

/** Marks the event dead-lettered. */
export async function markDeadLettered(db: Db, eventId: string, error: object): Promise<void> {
  await db(TABLE).where({ event_id: eventId, consumer: 'router' })
    .update({ status: 'dead_lettered', last_error: JSON.stringify(error), next_attempt_at: null });
}

/** Resets a dead-lettered event for a new attempt cycle (redrive); false when it is not dead-lettered. */
export async function resetForRedrive(db: Db, eventId: string): Promise<boolean> {
  const n = await db(TABLE).where({ event_id: eventId, consumer: 'router', status: 'dead_lettered' })
    .update({ status: 'pending', attempts: 0, next_attempt_at: db.fn.now() });
  return n > 0;
}

/**
 * Events stored but never handed to Temporal: still 'pending' and older than `graceMs`. Oldest first;
 * served by the partial index on next_attempt_at.
 */
export async function findStalePending(db: Db, graceMs: number, limit: number): Promise<QueueStateRow[]> {
  return (await db(TABLE).where({ status: 'pending', consumer: 'router' })
    .where('next_attempt_at', '<', db.raw(`now() - (? || ' milliseconds')::interval`, [graceMs]))
    .orderBy('next_attempt_at', 'asc').limit(limit)) as QueueStateRow[];
}

/** Postpones the sweeper's next look at these events (after it handed them over). */
export async function touchPending(db: Db, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await db(TABLE).whereIn('event_id', eventIds).where({ status: 'pending', consumer: 'router' }).update({ next_attempt_at: db.fn.now() });
}
