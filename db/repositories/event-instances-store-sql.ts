/**
 * The statement that stores events: event_instance_keys (idempotency), event_sequences (numbering),
 * event_instances and the `pending` event_queue_state row, for a JSON array of events, as one statement.
 */

const EV = 'event_processing_service';

/** The columns of a stored event in its API shape (camelCase, ISO timestamp). */
export const EVENT_COLUMNS = `id, event_id AS "eventId", pattern, version, source,
  to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "timestamp", payload, metadata,
  sequence_key AS "sequenceKey", sequence_number AS "sequenceNumber", event_definition_id AS "eventDefinitionId",
  published_by AS "publishedBy", created_at::text AS "createdAt"`;

// - Keys are claimed in event_id order and sequences locked in key order, so two concurrent statements take
//   their row locks in the same order (no deadlock between overlapping batches).
// - A sequence key used by n new events moves last_number by n; each event gets last - n + its rank by input
//   order. The row lock is held until commit and a failed statement rolls the numbers back: gap-free.
// - The queue row names the dispatcher that owns its delivery (temporal_workflow_id) and carries the event's
//   dispatch hash (computed by the caller; the shard that delivers it is the hash modulo the shard count).
// - Events whose event_id was already claimed are not in `k`, so they write nothing here.
/** Stores `:rows` (JSON array, unique event_id); returns the newly stored events. */
export const STORE_EVENTS_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset(:rows::jsonb) AS r(ord int, event_id text, pattern text, version text, source jsonb,
    ts timestamptz, payload jsonb, metadata jsonb, event_definition_id uuid, sequence_key text, max_attempts int, dispatcher text,
    dispatch_hash int, published_by text)
), k AS (
  INSERT INTO ${EV}.event_instance_keys (id, event_id, event_created_at)
  SELECT gen_random_uuid(), event_id, now() FROM input ORDER BY event_id
  ON CONFLICT (event_id) DO NOTHING
  RETURNING id, event_id, event_created_at
), fresh AS (
  SELECT i.*, k.id, k.event_created_at,
    row_number() OVER (PARTITION BY i.sequence_key ORDER BY i.ord) AS rank,
    count(*) OVER (PARTITION BY i.sequence_key) AS n
  FROM input i JOIN k ON k.event_id = i.event_id
), seq AS (
  INSERT INTO ${EV}.event_sequences (sequence_key, last_number)
  SELECT sequence_key, count(*) FROM fresh WHERE sequence_key IS NOT NULL GROUP BY sequence_key ORDER BY sequence_key
  ON CONFLICT (sequence_key) DO UPDATE SET last_number = event_sequences.last_number + excluded.last_number
  RETURNING sequence_key, last_number
), ev AS (
  INSERT INTO ${EV}.event_instances (id, event_id, pattern, version, source, "timestamp", payload, metadata,
    created_at, partition_key, event_definition_id, sequence_key, sequence_number, published_by)
  SELECT f.id, f.event_id, f.pattern, f.version, f.source, COALESCE(f.ts, f.event_created_at), COALESCE(f.payload, '{}'),
    COALESCE(f.metadata, '{}'), f.event_created_at, to_char(f.event_created_at AT TIME ZONE 'UTC', 'YYYY-MM'),
    f.event_definition_id, f.sequence_key, s.last_number - f.n + f.rank, f.published_by
  FROM fresh f LEFT JOIN seq s ON s.sequence_key = f.sequence_key
  ORDER BY f.ord
  RETURNING *
), q AS (
  INSERT INTO ${EV}.event_queue_state (event_instance_id, event_id, status, max_attempts, next_attempt_at,
    temporal_workflow_id, sequence_key, sequence_number, dispatch_hash)
  SELECT ev.id, ev.event_id, 'pending', f.max_attempts, now(), f.dispatcher, ev.sequence_key, ev.sequence_number,
    f.dispatch_hash
  FROM ev JOIN fresh f ON f.id = ev.id
  RETURNING id
)
SELECT ${EVENT_COLUMNS} FROM ev`;
