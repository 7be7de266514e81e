/**
 * Retention of the unpartitioned tables that grow with traffic (docs/data-lifecycle.md): closed runs, delivered
 * queue rows and closed dead letters older than their retention are deleted in bounded batches. A batch is one
 * transaction: its rows are locked (SKIP LOCKED, so two deleters never wait on each other), handed to the caller
 * with the rows that go with them (the archive writes them there), and deleted only when the caller returned.
 * What the caller throws rolls the batch back. The job that schedules it is services/maintenance/.
 */
import type { Knex } from 'knex';
import { TERMINAL_WORKFLOW_STATUSES } from './repositories/workflow-instances';

/** A table with row retention. */
export type RowRetentionTable =
  | 'workflow_orchestrator_service.workflow_instances'
  | 'event_processing_service.event_queue_state'
  | 'event_processing_service.dead_letter_queue';

/** Every table with row retention, in the order a run handles them. */
export const ROW_RETENTION_TABLES: readonly RowRetentionTable[] = [
  'workflow_orchestrator_service.workflow_instances',
  'event_processing_service.event_queue_state',
  'event_processing_service.dead_letter_queue',
];

type Row = Record<string, unknown>;

/** One batch about to be deleted: its rows and, by table, the rows deleted with them (foreign-key cascades). */
export interface ExpiredBatch {
  table: RowRetentionTable;
  rows: Row[];
  dependents: { table: string; rows: Row[] }[];
}

const WF = 'workflow_orchestrator_service';
const EV = 'event_processing_service';
const CLOSED = `(${TERMINAL_WORKFLOW_STATUSES.map((s) => `'${s}'`).join(', ')})`;

interface Spec {
  /** The rows past the retention (`?` = days kept) that may go, as a condition on alias `x`. */
  expired: string;
  /** The time the retention counts from. */
  at: string;
  /** Tables whose rows cascade from these rows' ids: `table` with the referencing column. */
  dependents: { table: string; column: string }[];
}

const CUTOFF = `now() - make_interval(days => ?)`;

const SPECS: Record<RowRetentionTable, Spec> = {
  // A closed run, counted from when it closed. Kept while a child run still points at it (the parent link has no
  // cascade: the child goes first, its parent in a later batch) or an unfinished run was redriven from it.
  [`${WF}.workflow_instances`]: {
    at: 'COALESCE(x.completed_at, x.updated_at)',
    expired: `x.status IN ${CLOSED} AND COALESCE(x.completed_at, x.updated_at) < ${CUTOFF}
      AND NOT EXISTS (SELECT 1 FROM ${WF}.workflow_instances c WHERE c.parent_instance_id = x.id)
      AND NOT EXISTS (SELECT 1 FROM ${WF}.workflow_instances r
                       WHERE r.origin_instance_id = x.id AND r.status NOT IN ${CLOSED})`,
    dependents: [
      { table: 'task_execution_service.task_instances', column: 'workflow_instance_id' },
      { table: 'task_execution_service.human_task_events', column: 'workflow_instance_id' },
      { table: `${WF}.workflow_control_actions`, column: 'workflow_instance_id' },
      { table: `${WF}.workflow_event_subscriptions`, column: 'workflow_instance_id' },
    ],
  },
  // A delivered row, counted from its delivery. A row whose consumer is a workflow records that the run received
  // the event by signal (its waits' look-back skips it): kept while that run is not closed.
  [`${EV}.event_queue_state`]: {
    at: 'COALESCE(x.delivered_at, x.updated_at)',
    expired: `x.status = 'delivered' AND COALESCE(x.delivered_at, x.updated_at) < ${CUTOFF}
      AND (x.consumer = 'router' OR NOT EXISTS (SELECT 1 FROM ${WF}.workflow_instances w
                                                 WHERE w.temporal_workflow_id = x.consumer AND w.status NOT IN ${CLOSED}))`,
    dependents: [],
  },
  // A redriven or discarded dead letter, counted from when it was closed.
  [`${EV}.dead_letter_queue`]: {
    at: 'COALESCE(x.discarded_at, x.redriven_at, x.updated_at)',
    expired: `x.status IN ('redriven', 'discarded') AND COALESCE(x.discarded_at, x.redriven_at, x.updated_at) < ${CUTOFF}`,
    dependents: [],
  },
};

/** How many rows of `table` are past `keepDays` and may go, counting at most `cap`. */
export async function countExpiredRows(
  db: Knex,
  table: RowRetentionTable,
  keepDays: number,
  cap: number,
): Promise<number> {
  const { rows } = await db.raw<{ rows: { n: number }[] }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${table} x WHERE ${SPECS[table].expired} LIMIT ?) s`,
    [keepDays, cap],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Deletes one batch of at most `limit` rows of `table` past `keepDays` (oldest first), after `beforeDelete`
 * resolved for it; answers the number deleted (0 = nothing left). When `beforeDelete` throws, nothing is deleted
 * and the error is rethrown.
 */
export async function deleteExpiredBatch(
  db: Knex,
  table: RowRetentionTable,
  keepDays: number,
  limit: number,
  beforeDelete: (batch: ExpiredBatch) => Promise<void>,
): Promise<number> {
  const spec = SPECS[table];
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: Row[] }>(
      `SELECT x.* FROM ${table} x WHERE ${spec.expired} ORDER BY ${spec.at}, x.id LIMIT ? FOR UPDATE OF x SKIP LOCKED`,
      [keepDays, limit],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id as string);
    const dependents: ExpiredBatch['dependents'] = [];
    for (const d of spec.dependents) {
      const dep = await trx.raw<{ rows: Row[] }>(`SELECT * FROM ${d.table} WHERE ?? = ANY(?::uuid[]) ORDER BY id`, [
        d.column,
        ids,
      ]);
      dependents.push({ table: d.table, rows: dep.rows });
    }
    await beforeDelete({ table, rows, dependents });
    const res = await trx.raw<{ rowCount: number }>(`DELETE FROM ${table} WHERE id = ANY(?::uuid[])`, [ids]);
    return res.rowCount ?? 0;
  });
}
