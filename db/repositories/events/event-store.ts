/**
 * event_instances + event_instance_keys + event_sequences + event_queue_state: storing an event and its
 * delivery bookkeeping as ONE statement (data-modifying CTEs run atomically in one implicit
 * transaction), so ingest costs a single round trip and is either fully stored or not at all.
 */
import type { Db } from '../sql';

export const EV = 'event_processing_service';

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
  createdAt: string;
}

/** What {@link insertEvent} stores. */
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
}

const COLUMNS = `id, event_id AS "eventId", pattern, version, source,
  to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "timestamp", payload, metadata,
  sequence_key AS "sequenceKey", sequence_number AS "sequenceNumber", event_definition_id AS "eventDefinitionId",
  created_at::text AS "createdAt"`;

// The sequence row is locked by the upsert until commit, so concurrent events of one key are numbered
// one after another; a statement that fails rolls its number back: numbers are gap-free.
const INSERT_SQL = `
WITH k AS (
  INSERT INTO ${EV}.event_instance_keys (id, event_id, event_created_at)
  VALUES (gen_random_uuid(), :eventId, now()) ON CONFLICT (event_id) DO NOTHING
  RETURNING id, event_created_at
), seq AS (
  INSERT INTO ${EV}.event_sequences (sequence_key, last_number)
  SELECT :sequenceKey, 1 FROM k WHERE :sequenceKey::text IS NOT NULL
  ON CONFLICT (sequence_key) DO UPDATE SET last_number = event_sequences.last_number + 1
  RETURNING last_number
), ev AS (
  INSERT INTO ${EV}.event_instances (id, event_id, pattern, version, source, "timestamp", payload, metadata,
    created_at, partition_key, event_definition_id, sequence_key, sequence_number)
  SELECT k.id, :eventId, :pattern, :version, :source::jsonb, COALESCE(:timestamp::timestamptz, k.event_created_at),
    :payload::jsonb, :metadata::jsonb, k.event_created_at, to_char(k.event_created_at AT TIME ZONE 'UTC', 'YYYY-MM'),
    :eventDefinitionId::uuid, :sequenceKey, (SELECT last_number FROM seq)
  FROM k
  RETURNING *
), q AS (
  INSERT INTO ${EV}.event_queue_state (event_instance_id, event_id, status, max_attempts, next_attempt_at,
    temporal_workflow_id, sequence_key, sequence_number)
  SELECT ev.id, ev.event_id, 'pending', :maxAttempts, now(), 'evt:' || ev.event_id, ev.sequence_key, ev.sequence_number
  FROM ev
  RETURNING id
)
SELECT ${COLUMNS} FROM ev`;

/** Stores the event; `created: false` with the original row when its eventId was stored before. */
export async function insertEvent(db: Db, e: EventInsert): Promise<{ event: StoredEvent; created: boolean }> {
  const { rows } = await db.raw(INSERT_SQL, {
    ...e,
    source: e.source && JSON.stringify(e.source),
    payload: JSON.stringify(e.payload),
    metadata: JSON.stringify(e.metadata),
  });
  if (rows[0]) return { event: rows[0] as StoredEvent, created: true };
  const existing = await getEventByEventId(db, e.eventId);
  // The conflicting insert committed before ours was told about it, so the row is visible now.
  if (!existing) throw new Error(`event ${e.eventId} conflicted but is not readable`);
  return { event: existing, created: false };
}

/** The stored event with this business id (partition-pruned through event_instance_keys). */
export async function getEventByEventId(db: Db, eventId: string): Promise<StoredEvent | undefined> {
  const { rows } = await db.raw(
    `SELECT ${COLUMNS} FROM ${EV}.event_instances e
     WHERE e.event_id = ? AND e.created_at = (SELECT event_created_at FROM ${EV}.event_instance_keys WHERE event_id = ?)`,
    [eventId, eventId],
  );
  return rows[0] as StoredEvent | undefined;
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
  const q = db(`${EV}.event_instances`).select(db.raw(COLUMNS)).orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(f.limit);
  if (f.pattern) q.where('pattern', f.pattern);
  if (f.correlationId) q.whereRaw(`metadata->>'correlationId' = ?`, [f.correlationId]);
  if (f.before) q.whereRaw('(created_at, id) < (?::timestamptz, ?::uuid)', [f.before.createdAt, f.before.id]);
  return (await q) as StoredEvent[];
}
