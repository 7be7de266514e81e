/**
 * Group commit for single-event ingest: concurrent `publishEvent` calls are coalesced into one multi-row
 * store statement (one transaction, one WAL flush) instead of one statement and commit per event, through the
 * generic group commit (common/group-commit.ts). A call waits at most `windowMs` for company (or until
 * `maxBatch` events are waiting) and is answered only after its statement committed. Idempotency is per
 * event: a repeated eventId, in the same batch or stored before, gets the original row. If a batch fails, its
 * events are retried one by one, so a single bad event fails only its own request.
 */
import type { Knex } from 'knex';
import { createGroupCommit, type BatchOutcome, type GroupCommit } from '../../common/group-commit';
import { insertEvent, insertEvents, type EventInsert, type InsertResult } from '../../db/repositories/event-instances';

/** Tuning of the ingest group commit. */
export interface IngestGroupCommitOptions {
  /** Longest a call waits for other calls before its batch is sent (ms). */
  windowMs: number;
  /** Events per statement; a full batch is sent at once. */
  maxBatch: number;
  /** Statements in flight at once (each holds a pool connection); further calls queue up and batch. */
  maxInFlight: number;
}

/** Stores one batch; on failure each event again on its own, so one event's error fails only that event. */
async function storeBatch(db: Knex, events: EventInsert[]): Promise<BatchOutcome<InsertResult>> {
  try {
    return await insertEvents(db, events);
  } catch (err) {
    if (events.length === 1) throw err;
    // Isolate the failure: one event's constraint violation (or a deadlock) must not fail its neighbours.
    return Promise.all(
      events.map((e) =>
        insertEvent(db, e).catch((one: unknown) => (one instanceof Error ? one : new Error(String(one)))),
      ),
    );
  }
}

const committers = new WeakMap<Knex, GroupCommit<EventInsert, InsertResult>>();

/** The ingest group commit of a database handle (one per pool, created on first use). */
export function ingestGroupCommit(db: Knex, opts: IngestGroupCommitOptions): GroupCommit<EventInsert, InsertResult> {
  let c = committers.get(db);
  if (!c) committers.set(db, (c = createGroupCommit((events: EventInsert[]) => storeBatch(db, events), opts)));
  return c;
}
