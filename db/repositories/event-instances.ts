/**
 * event_processing_service.event_instances (partitioned by month on created_at) and its idempotency
 * companion event_instance_keys. Ingest = one transaction: claim the event_id in event_instance_keys,
 * assign a sequence number if asked, insert the event, and enqueue its delivery in event_queue_state.
 */
import type { Knex } from 'knex';
import type { Db } from './sql';
import { toDb } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';
import { nextSequenceNumber } from './event-sequences';
import { EVENT_QUEUE_STATE, type QueueStateRow } from './event-queue-state';

/** A row of event_instances (the documented "events" columns plus updated_at and sequencing). */
export interface EventInstanceRow {
  id: string;
  event_id: string;
  pattern: string;
  version: string | null;
  source: Record<string, unknown> | null;
  timestamp: Date;
  payload: unknown;
  metadata: Record<string, unknown>;
  created_at: Date;
  /** The UTC month (`YYYY-MM`) of created_at: the partition the row lives in. */
  partition_key: string | null;
  updated_at: Date;
  event_definition_id: string | null;
  sequence_key: string | null;
  sequence_number: number | null;
}

/** An event to store. */
export type EventInstanceInsert = Pick<EventInstanceRow, 'event_id' | 'pattern'> &
  Partial<Pick<EventInstanceRow, 'version' | 'source' | 'timestamp' | 'payload' | 'metadata' | 'event_definition_id' | 'sequence_key' | 'created_at'>>;

/** Result of an ingest: `created` false means the event_id was already stored (the stored row is returned). */
export interface InsertEventResult {
  event: EventInstanceRow;
  created: boolean;
  queue?: QueueStateRow;
}

export const EVENT_INSTANCES = 'event_processing_service.event_instances';
export const EVENT_INSTANCE_KEYS = 'event_processing_service.event_instance_keys';

async function inTransaction<T>(db: Db, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Knex.Transaction) : (db as Knex).transaction(fn);
}

/**
 * Stores an event exactly once per event_id, durably, in one transaction. With `sequence_key` set it gets
 * the next gap-free number of that sequence. Unless `enqueue` is false, a `pending` delivery row
 * (consumer 'router') is written in the same transaction, so a crash after the commit loses nothing.
 */
export async function insertEvent(db: Db, e: EventInstanceInsert, opts: { enqueue?: boolean } = {}): Promise<InsertEventResult> {
  return inTransaction(db, async (trx) => {
    const createdAt = e.created_at ?? new Date();
    const [key] = await trx(EVENT_INSTANCE_KEYS)
      .insert({ id: trx.raw('gen_random_uuid()'), event_id: e.event_id, event_created_at: createdAt })
      .onConflict('event_id').ignore().returning(['id']);
    if (!key) {
      const existing = await getEventByEventId(trx, e.event_id);
      if (!existing) throw new Error(`event ${e.event_id} is claimed but not stored`);
      return { event: existing, created: false };
    }
    const sequenceNumber = e.sequence_key ? await nextSequenceNumber(trx, e.sequence_key) : undefined;
    const [event] = await trx(EVENT_INSTANCES).insert(toDb({
      ...e, id: (key as { id: string }).id, created_at: createdAt, sequence_number: sequenceNumber,
      partition_key: createdAt.toISOString().slice(0, 7),
    })).returning('*');
    const row = event as EventInstanceRow;
    if (opts.enqueue === false) return { event: row, created: true };
    const [queue] = await trx(EVENT_QUEUE_STATE).insert({
      event_instance_id: row.id, event_id: row.event_id, next_attempt_at: createdAt,
      sequence_key: row.sequence_key, sequence_number: row.sequence_number,
    }).returning('*');
    return { event: row, created: true, queue: queue as QueueStateRow };
  });
}

/** An event by its business id, pruned to its partition through event_instance_keys. */
export async function getEventByEventId(db: Db, eventId: string): Promise<EventInstanceRow | undefined> {
  const key = (await db(EVENT_INSTANCE_KEYS).where({ event_id: eventId }).first()) as { id: string; event_created_at: Date } | undefined;
  if (!key) return undefined;
  return (await db(EVENT_INSTANCES).where({ id: key.id, created_at: key.event_created_at }).first()) as EventInstanceRow | undefined;
}

/** An event by row id. */
export async function getEvent(db: Db, id: string): Promise<EventInstanceRow | undefined> {
  const key = (await db(EVENT_INSTANCE_KEYS).where({ id }).first()) as { event_created_at: Date } | undefined;
  if (!key) return undefined;
  return (await db(EVENT_INSTANCES).where({ id, created_at: key.event_created_at }).first()) as EventInstanceRow | undefined;
}

/** Filters of the event list. */
export interface EventFilter {
  pattern?: string;
  correlationId?: string;
  sequenceKey?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

/** Lists events newest first (time filters prune partitions; correlationId uses the expression index). */
export async function listEvents(db: Db, f: EventFilter = {}, page: PageRequest = {}): Promise<Page<EventInstanceRow>> {
  const q = db(`${EVENT_INSTANCES} as e`);
  if (f.pattern) q.where('e.pattern', f.pattern);
  if (f.correlationId) q.whereRaw("(e.metadata->>'correlationId') = ?", [f.correlationId]);
  if (f.sequenceKey) q.where('e.sequence_key', f.sequenceKey);
  if (f.createdAfter) q.where('e.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('e.created_at', '<', f.createdBefore);
  return paginate<EventInstanceRow>(q, 'e', page);
}

/**
 * Events of `pattern` stored since `since` whose correlation value (metadata.correlationId or
 * metadata.correlationKey) equals `correlation`, oldest first: the look-back for a wait that registered
 * after its event arrived.
 */
export async function findEventsSince(db: Db, pattern: string, correlation: string, since: Date, limit = 10): Promise<EventInstanceRow[]> {
  return (await db(EVENT_INSTANCES).where({ pattern }).where('created_at', '>=', since)
    .andWhere((w) => w.whereRaw("(metadata->>'correlationId') = ?", [correlation]).orWhereRaw("(metadata->>'correlationKey') = ?", [correlation]))
    .orderBy([{ column: 'created_at', order: 'asc' }, { column: 'id', order: 'asc' }]).limit(limit)) as EventInstanceRow[];
}
