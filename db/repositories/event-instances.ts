/**
 * event_processing_service.event_instances (partitioned by month on created_at) and its idempotency
 * companion event_instance_keys. Storing events and their delivery bookkeeping (key, sequence number,
 * `pending` event_queue_state row) is ONE statement of data-modifying CTEs for any number of events: atomic,
 * one round trip, acknowledged only after it committed.
 */
import type { Db } from './sql';
import { EVENT_COLUMNS as COLUMNS, STORE_EVENTS_SQL } from './event-instances-store-sql';
import { eventDispatchHash } from '../../common/events/dispatch-shards';

export const EV = 'event_processing_service';
export const EVENT_INSTANCES = `${EV}.event_instances`;
export const EVENT_INSTANCE_KEYS = `${EV}.event_instance_keys`;

/** A stored event as the API returns it (the documented EventInstance shape plus bookkeeping). */
export interface StoredEvent {
  id: string;
  eventId: string;
  pattern: string;
  version: string | null;
  source: { type: string; id?: string; name?: string } | null;
  timestamp: string;
  payload: Record<string, unknown>;
  metadata: Record<string, unknown>;
  sequenceKey: string | null;
  sequenceNumber: number | null;
  eventDefinitionId: string | null;
  /**
   * Username of whoever published it, as authenticated by the platform (never taken from the body): the
   * `POST /events` caller, or the starter of the run whose emit_event step published it; null when unknown.
   */
  publishedBy: string | null;
  createdAt: string;
}

/** What {@link insertEvents} stores per event. */
export interface EventInsert {
  eventId: string;
  pattern: string;
  version: string | null;
  source: object | null;
  timestamp: string | null;
  payload: object;
  metadata: object;
  eventDefinitionId: string | null;
  sequenceKey: string | null;
  maxAttempts: number;
  /** The dispatcher id that owns its delivery (recorded on the queue row; its shard comes from the dispatch hash). */
  dispatcherId: string;
  /** The authenticated publisher's username (event_instances.published_by); absent = unknown. */
  publishedBy?: string | null;
}

/** One stored event and whether this call stored it (false: an earlier call with the same eventId did). */
export interface InsertResult {
  event: StoredEvent;
  created: boolean;
}

/**
 * Stores events in one statement (all or nothing), results in input order. A repeated eventId (stored
 * before, or earlier in `events`) is answered with the original row and `created: false`.
 */
export async function insertEvents(db: Db, events: EventInsert[]): Promise<InsertResult[]> {
  const first = new Map<string, number>();
  const rows: object[] = [];
  for (const [ord, e] of events.entries()) {
    if (first.has(e.eventId)) continue;
    first.set(e.eventId, ord);
    rows.push({
      ord,
      event_id: e.eventId,
      pattern: e.pattern,
      version: e.version,
      source: e.source,
      ts: e.timestamp,
      payload: e.payload,
      metadata: e.metadata,
      event_definition_id: e.eventDefinitionId,
      sequence_key: e.sequenceKey,
      max_attempts: e.maxAttempts,
      dispatcher: e.dispatcherId,
      dispatch_hash: eventDispatchHash(e),
      published_by: e.publishedBy ?? null,
    });
  }
  const { rows: stored } = (await db.raw(STORE_EVENTS_SQL, { rows: JSON.stringify(rows) })) as { rows: StoredEvent[] };
  const byId = new Map(stored.map((s) => [s.eventId, s]));
  const missing = [...first.keys()].filter((id) => !byId.has(id));
  // The conflicting inserts committed before ours was told about them, so those rows are visible now.
  const existing = new Map((await getEventsByEventIds(db, missing)).map((s) => [s.eventId, s]));
  return events.map((e, ord) => {
    const created = first.get(e.eventId) === ord && byId.has(e.eventId);
    const event = byId.get(e.eventId) ?? existing.get(e.eventId);
    if (!event) throw new Error(`event ${e.eventId} conflicted but is not readable`);
    return { event, created };
  });
}

/** Stores one event; `created: false` with the original row when its eventId was stored before. */
export async function insertEvent(db: Db, e: EventInsert): Promise<InsertResult> {
  return (await insertEvents(db, [e]))[0]!;
}

/** The stored events with these business ids (partition-pruned through event_instance_keys). */
export async function getEventsByEventIds(db: Db, eventIds: string[]): Promise<StoredEvent[]> {
  if (eventIds.length === 0) return [];
  const { rows } = await db.raw(
    `SELECT ${COLUMNS} FROM ${EVENT_INSTANCES} WHERE (id, created_at) IN
       (SELECT id, event_created_at FROM ${EVENT_INSTANCE_KEYS} WHERE event_id IN (SELECT jsonb_array_elements_text(?::jsonb)))`,
    // One JSON binding: knex would expand a JS array into a list of bindings.
    [JSON.stringify(eventIds)],
  );
  return rows as StoredEvent[];
}

/** The stored event with this business id. */
export async function getEventByEventId(db: Db, eventId: string): Promise<StoredEvent | undefined> {
  return (await getEventsByEventIds(db, [eventId]))[0];
}

/** The row id of an event's idempotency key (event_instance_keys), undefined when not stored. */
export async function getEventKeyId(db: Db, eventId: string): Promise<string | undefined> {
  const key = (await db(EVENT_INSTANCE_KEYS).where({ event_id: eventId }).first('id')) as { id: string } | undefined;
  return key?.id;
}

/** Filters of the event list. */
export interface EventFilter {
  pattern?: string;
  correlationId?: string;
  limit: number;
  /** Events created strictly before this (createdAt, id) pair: keyset paging, newest first. */
  before?: { createdAt: string; id: string };
}

/** Newest-first page of stored events. */
export async function listEvents(db: Db, f: EventFilter): Promise<StoredEvent[]> {
  const q = db(EVENT_INSTANCES)
    .select(db.raw(COLUMNS))
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(f.limit);
  if (f.pattern) q.where('pattern', f.pattern);
  if (f.correlationId) q.whereRaw(`metadata->>'correlationId' = ?`, [f.correlationId]);
  if (f.before) q.whereRaw('(created_at, id) < (?::timestamptz, ?::uuid)', [f.before.createdAt, f.before.id]);
  return (await q) as StoredEvent[];
}
