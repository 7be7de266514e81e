/**
 * Flow control of runs (#15) over workflow_orchestrator_service.workflow_instances: the open runs and the
 * queued starts of one (definition business id, concurrency key) pair. A limited run carries its key in
 * `concurrency_key` ('' when the definition's limit has no key); a run of an unlimited definition has none.
 * Every decision about a pair is taken under {@link lockRunConcurrency}.
 */
import { STARTER_MIRROR_SEQ } from '../../common/definitions/types';
import type { Db } from './sql';
import { toDb } from './sql';
import {
  OPEN_WORKFLOW_STATUSES,
  WORKFLOW_INSTANCES,
  type WorkflowInstanceInsert,
  type WorkflowInstanceRow,
  type WorkflowInstanceStatus,
} from './workflow-instances';

const QUEUE_SEQ = 'workflow_orchestrator_service.workflow_instance_queue_seq';

/** One limited pair. */
export interface ConcurrencyPair {
  definitionWorkflowId: string;
  concurrencyKey: string;
}

/**
 * Serialises every start, promotion and queue decision of one pair: a transaction-scoped advisory lock, the
 * two-int form over `hashtext`, with the definition id prefixed (`concurrency:`) so it never shares a key with
 * the exclusive-start lock on (definition, correlation key), which a start may hold at the same time.
 */
export async function lockRunConcurrency(trx: Db, p: ConcurrencyPair): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))', [
    `concurrency:${p.definitionWorkflowId}`,
    p.concurrencyKey,
  ]);
}

const pairRows = (db: Db, p: ConcurrencyPair) =>
  db(WORKFLOW_INSTANCES).where({ definition_workflow_id: p.definitionWorkflowId, concurrency_key: p.concurrencyKey });

/** How many runs of the pair are open (pending, running, waiting, paused) and how many starts are queued. */
export async function countPair(db: Db, p: ConcurrencyPair): Promise<{ open: number; queued: number }> {
  const rows = (await pairRows(db, p)
    .whereIn('status', [...OPEN_WORKFLOW_STATUSES, 'queued'])
    .select(db.raw("count(*) FILTER (WHERE status <> 'queued')::int AS open"))
    .select(db.raw("count(*) FILTER (WHERE status = 'queued')::int AS queued"))) as Array<{
    open: number;
    queued: number;
  }>;
  return rows[0] ?? { open: 0, queued: 0 };
}

/** The `n`-th oldest open run of the pair (0 = the oldest), by creation. */
export async function nthOldestOpen(db: Db, p: ConcurrencyPair, n: number): Promise<WorkflowInstanceRow | undefined> {
  return (await pairRows(db, p)
    .whereIn('status', OPEN_WORKFLOW_STATUSES as WorkflowInstanceStatus[])
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .offset(n)
    .first()) as WorkflowInstanceRow | undefined;
}

/** The next queue position: at the tail (the sequence), or before every queued start of the pair (`head`). */
export async function nextQueueSeq(db: Db, p: ConcurrencyPair, head = false): Promise<number> {
  if (head) {
    const [row] = (await pairRows(db, p).where({ status: 'queued' }).min({ min: 'queue_seq' })) as Array<{
      min: number | null;
    }>;
    if (row?.min != null) return row.min - 1;
  }
  // bigint, read as a number (db/connection.ts): exact up to 2^53 starts.
  const { rows } = await db.raw<{ rows: Array<{ seq: number }> }>('SELECT nextval(?::regclass) AS seq', [QUEUE_SEQ]);
  return rows[0].seq;
}

/** Inserts a run's row (queued or pending); false when its temporal_workflow_id exists already. */
export async function insertLimitedRun(db: Db, values: WorkflowInstanceInsert): Promise<boolean> {
  const rows = await db(WORKFLOW_INSTANCES)
    .insert(toDb(values))
    .onConflict('temporal_workflow_id')
    .ignore()
    .returning('id');
  return rows.length > 0;
}

/** The first queued start of the pair, row-locked (a concurrent cancel of it waits for the promotion). */
export async function lockQueueHead(trx: Db, p: ConcurrencyPair): Promise<WorkflowInstanceRow | undefined> {
  return (await pairRows(trx, p)
    .where({ status: 'queued' })
    .orderBy([{ column: 'queue_seq' }, { column: 'id' }])
    .forUpdate()
    .first()) as WorkflowInstanceRow | undefined;
}

/**
 * A queued row whose Temporal run has been started: running with the run id, at the starter's mirror seq, as
 * markRunStarted does for a direct start. Guarded by `queued`: promoted once.
 */
export async function markQueuedStarted(trx: Db, id: string, runId: string, at: Date): Promise<boolean> {
  const n = await trx(WORKFLOW_INSTANCES)
    .where({ id, status: 'queued' })
    .update({
      temporal_run_id: trx.raw('coalesce(temporal_run_id, ?)', [runId]),
      started_at: trx.raw('coalesce(started_at, ?)', [at]),
      // The row is locked by the promoter (lockQueueHead): the run's own writes wait until this commits.
      status: 'running',
      mirror_seq: trx.raw('greatest(mirror_seq, ?)', [STARTER_MIRROR_SEQ]),
    });
  return n > 0;
}

/** Closes a queued row (cancelled or terminated) without Temporal: it has no run. Undefined when not queued. */
export async function closeQueuedRun(
  db: Db,
  id: string,
  status: 'cancelled' | 'terminated',
  error: Record<string, unknown>,
): Promise<WorkflowInstanceRow | undefined> {
  const [row] = await db(WORKFLOW_INSTANCES)
    .where({ id, status: 'queued' })
    .update({ status, error: JSON.stringify(error), completed_at: new Date(), current_steps: '[]' })
    .returning('*');
  return row as WorkflowInstanceRow | undefined;
}

/** The pairs with queued starts (the safety sweep's work), at most `limit`. */
export async function listQueuedPairs(db: Db, limit: number): Promise<ConcurrencyPair[]> {
  const rows = (await db(WORKFLOW_INSTANCES)
    .where({ status: 'queued' })
    .whereNotNull('concurrency_key')
    .distinct('definition_workflow_id', 'concurrency_key')
    .limit(limit)) as Array<{ definition_workflow_id: string; concurrency_key: string }>;
  return rows.map((r) => ({ definitionWorkflowId: r.definition_workflow_id, concurrencyKey: r.concurrency_key }));
}
