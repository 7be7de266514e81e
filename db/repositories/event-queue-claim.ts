/**
 * The event dispatcher's claim on event_queue_state: due router rows of one dispatcher shard (rows naming the
 * owner whose `dispatch_hash % count = index`; shard 0 of 1 = every row of the owner), taken with
 * `FOR UPDATE SKIP LOCKED` and leased (`delivering`, next_attempt_at = lease end, attempts + 1) in one
 * statement. An event of a sequence is claimable only when it is its sequence's turn (every earlier number
 * delivered or dead-lettered: `event_sequences.last_delivered_number`), so a later number never overtakes.
 */
import type { Db } from './sql';

const EV = 'event_processing_service';

/** A claimed row: one delivery attempt to make. */
export interface ClaimedEvent {
  eventId: string;
  /** This attempt's number (1 = first). */
  attempt: number;
  maxAttempts: number | null;
  sequenceKey: string | null;
  sequenceNumber: number | null;
}

// Eligible = the shard's undelivered row whose sequence turn has come. Pending/failed rows wait for
// next_attempt_at; a `delivering` row is re-taken only after its lease ran out (its claimer died).
const ELIGIBLE = `q.consumer = 'router' AND q.temporal_workflow_id = :owner
  AND (CAST(:shardCount AS int) = 1 OR mod(q.dispatch_hash, CAST(:shardCount AS int)) = :shardIndex) AND q.status IN ('pending', 'failed', 'delivering')
  AND (q.sequence_key IS NULL OR q.sequence_number <= COALESCE(
    (SELECT s.last_delivered_number FROM ${EV}.event_sequences s WHERE s.sequence_key = q.sequence_key), 0) + 1)`;

// Casts are written CAST(...): knex would read `::type` after a named binding as another binding.
const CLAIM_SQL = `
WITH due AS (
  SELECT q.id FROM ${EV}.event_queue_state q
  WHERE ${ELIGIBLE} AND q.next_attempt_at <= now() AND (CAST(:key AS text) IS NULL OR q.sequence_key = :key)
  ORDER BY q.next_attempt_at LIMIT :limit
  FOR UPDATE OF q SKIP LOCKED
)
UPDATE ${EV}.event_queue_state u
SET status = 'delivering', attempts = u.attempts + 1, next_attempt_at = now() + make_interval(secs => :leaseSeconds)
FROM due WHERE u.id = due.id
RETURNING u.event_id AS "eventId", u.attempts AS attempt, u.max_attempts AS "maxAttempts",
  u.sequence_key AS "sequenceKey", CAST(u.sequence_number AS int) AS "sequenceNumber"`;

/** Whose rows: the owner the rows name and the shard of them (default: shard 0 of 1, every row). */
export interface ClaimScope {
  owner: string;
  shard?: { index: number; count: number };
}

const scopeBindings = (s: ClaimScope) => ({
  owner: s.owner,
  shardIndex: s.shard?.index ?? 0,
  shardCount: s.shard?.count ?? 1,
});

/** Claims up to `limit` due events of the scope (only of `sequenceKey` when given), leased for `leaseSeconds`. */
export async function claimDue(
  db: Db,
  opts: ClaimScope & { limit: number; leaseSeconds: number; sequenceKey?: string },
): Promise<ClaimedEvent[]> {
  const { rows } = (await db.raw(CLAIM_SQL, {
    ...scopeBindings(opts),
    limit: opts.limit,
    leaseSeconds: opts.leaseSeconds,
    key: opts.sequenceKey ?? null,
  })) as { rows: ClaimedEvent[] };
  return rows;
}

/** Milliseconds until the scope's next eligible event is due (<= 0: due now), or null when none is waiting. */
export async function nextDueInMs(db: Db, scope: ClaimScope): Promise<number | null> {
  const { rows } = (await db.raw(
    `SELECT CAST(EXTRACT(EPOCH FROM (q.next_attempt_at - now())) * 1000 AS float8) AS ms
    FROM ${EV}.event_queue_state q WHERE ${ELIGIBLE} ORDER BY q.next_attempt_at LIMIT 1`,
    scopeBindings(scope),
  )) as { rows: Array<{ ms: number }> };
  return rows[0] === undefined ? null : Number(rows[0].ms);
}

/** A claimed row as its claimer holds it: the event and the attempt its claim made. */
export type HeldClaim = Pick<ClaimedEvent, 'eventId' | 'attempt'>;

/**
 * Extends to `leaseSeconds` from now the lease of each row still held by the claim that made `attempt` (still
 * `delivering` with that attempt count: a row recorded since, or re-claimed after its lease ran out, is left
 * alone). Returns how many rows it extended.
 */
export async function renewLeases(db: Db, held: HeldClaim[], leaseSeconds: number): Promise<number> {
  if (held.length === 0) return 0;
  const { rowCount } = (await db.raw(
    `UPDATE ${EV}.event_queue_state q
    SET next_attempt_at = now() + make_interval(secs => :leaseSeconds)
    FROM unnest(CAST(:ids AS text[]), CAST(:attempts AS int[])) AS h(event_id, attempt)
    WHERE q.consumer = 'router' AND q.status = 'delivering' AND q.event_id = h.event_id AND q.attempts = h.attempt`,
    { leaseSeconds, ids: held.map((h) => h.eventId), attempts: held.map((h) => h.attempt) },
  )) as { rowCount: number };
  return rowCount;
}
