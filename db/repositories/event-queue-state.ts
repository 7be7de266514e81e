/** event_processing_service.event_queue_state: where each event is in its delivery pipeline. */
import type { Db } from './sql';
import { transition } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';

/** Delivery states. */
export type QueueStatus = 'pending' | 'delivering' | 'delivered' | 'failed' | 'dead_lettered';

/** A row of event_queue_state (one per event and consumer; consumer 'router' = the event's delivery). */
export interface QueueStateRow {
  id: string;
  event_instance_id: string;
  event_id: string;
  consumer: string;
  status: QueueStatus;
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

export const EVENT_QUEUE_STATE = 'event_processing_service.event_queue_state';

/** The delivery row of an event. */
export async function getQueueState(db: Db, eventId: string, consumer = 'router'): Promise<QueueStateRow | undefined> {
  return (await db(EVENT_QUEUE_STATE).where({ event_id: eventId, consumer }).first()) as QueueStateRow | undefined;
}

/** Deliveries due now (pending or failed with next_attempt_at passed), oldest first: the sweeper's input. */
export async function listDueDeliveries(db: Db, now = new Date(), limit = 100): Promise<QueueStateRow[]> {
  return (await db(EVENT_QUEUE_STATE).whereIn('status', ['pending', 'failed']).where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at', 'asc').limit(limit)) as QueueStateRow[];
}

/** pending/failed -> delivering (the handover to Temporal); counts the attempt. */
export async function markDelivering(db: Db, id: string, temporalWorkflowId?: string): Promise<QueueStateRow | undefined> {
  return transition<QueueStateRow>(db, EVENT_QUEUE_STATE, id, 'delivering', ['pending', 'failed', 'delivering'], {
    temporal_workflow_id: temporalWorkflowId, attempts: db.raw('attempts + 1'), next_attempt_at: null,
  });
}

/** -> delivered. */
export async function markDelivered(db: Db, id: string): Promise<QueueStateRow | undefined> {
  return transition<QueueStateRow>(db, EVENT_QUEUE_STATE, id, 'delivered', ['pending', 'delivering', 'failed', 'dead_lettered'], { delivered_at: new Date(), last_error: null });
}

/** -> failed with the error and when to try again. */
export async function markFailed(db: Db, id: string, error: unknown, nextAttemptAt: Date | null): Promise<QueueStateRow | undefined> {
  return transition<QueueStateRow>(db, EVENT_QUEUE_STATE, id, 'failed', ['pending', 'delivering', 'failed'], {
    last_error: JSON.stringify(error), next_attempt_at: nextAttemptAt,
  });
}

/** -> dead_lettered (attempts exhausted). */
export async function markDeadLettered(db: Db, id: string, error: unknown): Promise<QueueStateRow | undefined> {
  return transition<QueueStateRow>(db, EVENT_QUEUE_STATE, id, 'dead_lettered', ['pending', 'delivering', 'failed'], {
    last_error: JSON.stringify(error), next_attempt_at: null,
  });
}

/** dead_lettered -> pending (redrive), due now. */
export async function requeue(db: Db, id: string): Promise<QueueStateRow | undefined> {
  return transition<QueueStateRow>(db, EVENT_QUEUE_STATE, id, 'pending', ['dead_lettered', 'failed'], { next_attempt_at: new Date(), attempts: 0 });
}

/** Lists delivery rows newest first. */
export async function listQueueState(db: Db, f: { status?: QueueStatus; eventId?: string } = {}, page: PageRequest = {}): Promise<Page<QueueStateRow>> {
  const q = db(`${EVENT_QUEUE_STATE} as q`);
  if (f.status) q.where('q.status', f.status);
  if (f.eventId) q.where('q.event_id', f.eventId);
  return paginate<QueueStateRow>(q, 'q', page);
}
