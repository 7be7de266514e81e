/**
 * Upkeep of the range-partitioned tables: partitions created ahead of time (public.aos_ensure_range_partitions,
 * migration 016), and partitions whose whole range is older than a retention dropped, each after its table's guard
 * allowed it. The job that schedules both is services/maintenance/partition-maintenance.ts.
 */
import type { Knex } from 'knex';
import { OPEN_WORKFLOW_STATUSES } from './repositories/workflow-instances';

/** How a table is cut: one partition per UTC day or per UTC month. */
export type PartitionPeriod = 'day' | 'month';

/** A range-partitioned table. */
export interface PartitionedTable {
  /** `schema.table`. */
  table: string;
  /** The partition column (a timestamptz). */
  column: string;
  period: PartitionPeriod;
  /** Periods created ahead of the current one. */
  ahead: number;
  /** Telemetry: rows of the DEFAULT partition older than the retention are deleted too (nothing refers to them). */
  purgeDefault: boolean;
}

/** Every range-partitioned table, with how it is cut (names: `<table>_pYYYYMM` monthly, `<table>_pYYYYMMDD` daily). */
export const PARTITIONED_TABLES: readonly PartitionedTable[] = [
  {
    table: 'event_processing_service.event_instances',
    column: 'created_at',
    period: 'month',
    ahead: 3,
    purgeDefault: false,
  },
  {
    table: 'task_execution_service.task_instances',
    column: 'created_at',
    period: 'month',
    ahead: 3,
    purgeDefault: false,
  },
  {
    table: 'observability_service.observability_logs',
    column: 'timestamp',
    period: 'day',
    ahead: 7,
    purgeDefault: true,
  },
  {
    table: 'observability_service.observability_metrics',
    column: 'recorded_at',
    period: 'day',
    ahead: 7,
    purgeDefault: true,
  },
  {
    table: 'observability_service.observability_traces',
    column: 'started_at',
    period: 'day',
    ahead: 7,
    purgeDefault: true,
  },
];

/** The partitioned table named `table` (`schema.table`); throws for any other. */
export function partitionedTable(table: string): PartitionedTable {
  const t = PARTITIONED_TABLES.find((p) => p.table === table);
  if (!t) throw new Error(`${table} is not a partitioned table`);
  return t;
}

/**
 * Creates the partitions of `t` from the current period to `ahead` periods ahead (and `behind` periods back) that
 * do not exist yet, moving rows the DEFAULT partition holds for them. Idempotent and safe to run concurrently
 * (an advisory lock per table). Returns the number created.
 */
export async function ensureTablePartitions(
  db: Knex,
  t: PartitionedTable,
  ahead = t.ahead,
  behind = 0,
): Promise<number> {
  const { rows } = await db.raw<{ rows: { n: number }[] }>(
    'SELECT public.aos_ensure_range_partitions(?::regclass, ?, ?, ?) AS n',
    [t.table, t.period, ahead, behind],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Creates the partitions ahead for every partitioned table: `monthsAhead` months for the monthly ones, each daily
 * table's own `ahead` days. Returns the number created (0 when all existed).
 */
export async function ensurePartitions(db: Knex, monthsAhead = 3): Promise<number> {
  let created = 0;
  for (const t of PARTITIONED_TABLES)
    created += await ensureTablePartitions(db, t, t.period === 'month' ? monthsAhead : t.ahead);
  return created;
}

/** A partition with its range [from, to). */
export interface PartitionRange {
  /** `schema.partition`. */
  name: string;
  from: Date;
  to: Date;
}

/**
 * The partitions of `table` (the DEFAULT one excluded) whose whole range ends at or before
 * now() - `keep` periods, oldest first.
 */
export async function expiredPartitions(db: Knex, t: PartitionedTable, keep: number): Promise<PartitionRange[]> {
  const { rows } = await db.raw<{ rows: PartitionRange[] }>(
    `SELECT name, b[1]::timestamptz AS "from", b[2]::timestamptz AS "to"
       FROM (SELECT n.nspname || '.' || c.relname AS name,
                    regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)') AS b
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE i.inhparent = ?::regclass) p
      WHERE b IS NOT NULL AND b[2]::timestamptz <= now() - make_interval(months => ?, days => ?)
      ORDER BY 2`,
    [t.table, t.period === 'month' ? keep : 0, t.period === 'day' ? keep : 0],
  );
  return rows;
}

/** Why a partition may not be dropped yet (its rows are still in use), or undefined when it may. */
type Guard = (trx: Knex.Transaction, partition: string) => Promise<string | undefined>;

const OPEN_RUN = `(${OPEN_WORKFLOW_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const OPEN_TASK = `('pending', 'scheduled', 'running', 'waiting')`;
const UNDELIVERED = `('pending', 'delivering', 'failed')`;

/** Rows that go when a partition is dropped: the partition's own, or another table's rows that depend on them. */
export interface RetiredRows {
  /** `schema.table` the rows belong to. */
  table: string;
  /** Selects them (knex bindings). */
  sql: string;
  bindings: string[];
}

/**
 * Guards, the rows outside the partition that only make sense with it (removed in the same transaction), and
 * the queries selecting those rows (what an archive writes besides the partition itself).
 */
const RETIRE: Record<
  string,
  {
    guard: Guard;
    cleanup: (trx: Knex.Transaction, partition: string) => Promise<unknown>;
    alsoRemoved: (partition: string) => RetiredRows[];
  }
> = {
  // A run that is not finished still reads and mirrors its task rows (human tasks wait for weeks).
  'task_execution_service.task_instances': {
    guard: async (trx, p) => {
      const { rows } = await trx.raw<{ rows: { tasks: boolean; runs: boolean }[] }>(
        `SELECT EXISTS (SELECT 1 FROM ?? WHERE status IN ${OPEN_TASK}) AS tasks,
                  EXISTS (SELECT 1 FROM workflow_orchestrator_service.workflow_instances w
                           WHERE w.status IN ${OPEN_RUN} AND EXISTS (SELECT 1 FROM ?? t WHERE t.workflow_instance_id = w.id)) AS runs`,
        [p, p],
      );
      if (rows[0]?.tasks) return 'holds task instances that are not finished';
      if (rows[0]?.runs) return 'holds task instances of runs that are not finished';
      return undefined;
    },
    // The audit trail of human tasks has no foreign key to the partitioned table.
    cleanup: (trx, p) =>
      trx.raw(`DELETE FROM task_execution_service.human_task_events h USING ?? t WHERE h.task_instance_id = t.id`, [p]),
    alsoRemoved: (p) => [
      {
        table: 'task_execution_service.human_task_events',
        sql: 'SELECT h.* FROM task_execution_service.human_task_events h JOIN ?? t ON h.task_instance_id = t.id',
        bindings: [p],
      },
    ],
  },
  // An event still to be delivered, or an open dead letter (redrive re-reads the event), keeps its partition.
  'event_processing_service.event_instances': {
    guard: async (trx, p) => {
      const { rows } = await trx.raw<{ rows: { queued: boolean; dead: boolean }[] }>(
        `SELECT EXISTS (SELECT 1 FROM event_processing_service.event_queue_state q JOIN ?? e ON e.id = q.event_instance_id
                           WHERE q.status IN ${UNDELIVERED}) AS queued,
                  EXISTS (SELECT 1 FROM event_processing_service.dead_letter_queue d JOIN ?? e ON e.id = d.event_instance_id
                           WHERE d.status = 'open') AS dead`,
        [p, p],
      );
      if (rows[0]?.queued) return 'holds events not delivered yet';
      if (rows[0]?.dead) return 'holds events with an open dead letter';
      return undefined;
    },
    // The idempotency keys go with their events (their delivery rows cascade; closed dead letters and matched
    // subscriptions keep their row with the reference set to null).
    cleanup: (trx, p) =>
      trx.raw(`DELETE FROM event_processing_service.event_instance_keys k USING ?? e WHERE k.id = e.id`, [p]),
    alsoRemoved: (p) => [
      {
        table: 'event_processing_service.event_instance_keys',
        sql: 'SELECT k.* FROM event_processing_service.event_instance_keys k JOIN ?? e ON k.id = e.id',
        bindings: [p],
      },
      {
        table: 'event_processing_service.event_queue_state',
        sql: 'SELECT q.* FROM event_processing_service.event_queue_state q JOIN ?? e ON q.event_instance_id = e.id',
        bindings: [p],
      },
    ],
  },
};

/** What happened to one expired partition. */
export type RetireOutcome =
  { partition: string; dropped: true } | { partition: string; dropped: false; reason: string };

/** Longest a drop waits for its lock on the parent table before giving up until the next run. */
const LOCK_TIMEOUT_MS = 5000;

/** Options of {@link retirePartition}. */
export interface RetireOptions {
  /** Only check the guard: report what would happen, change nothing. */
  dryRun?: boolean;
  /**
   * Called in the transaction after the guard allowed the drop and before anything is removed, with the rows that
   * will go (the partition's first); when it throws, nothing is removed and the error is rethrown.
   */
  beforeDrop?: (trx: Knex.Transaction, rows: RetiredRows[]) => Promise<void>;
}

/**
 * Drops `partition` of `t` unless its table's guard finds rows still in use, in one transaction: the guard, the
 * archive hook, the rows elsewhere that belong to it, then DROP TABLE (a brief ACCESS EXCLUSIVE lock on the parent,
 * waited for at most LOCK_TIMEOUT_MS; a timeout fails this drop only, to be retried next run).
 */
export async function retirePartition(
  db: Knex,
  t: PartitionedTable,
  partition: string,
  opts: RetireOptions = {},
): Promise<RetireOutcome> {
  const retire = RETIRE[t.table];
  return db.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
    // The lock aos_ensure_range_partitions takes: never drop while a partition of the same table is being created.
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('aos_ensure_monthly_partitions:' || ?::regclass::text))`, [
      t.table,
    ]);
    if (!(await trx.raw('SELECT to_regclass(?) AS r', [partition])).rows[0]?.r)
      return { partition, dropped: false, reason: 'already dropped' };
    const reason = await retire?.guard(trx, partition);
    if (reason) return { partition, dropped: false, reason };
    if (opts.dryRun) return { partition, dropped: true };
    const rows = [
      { table: t.table, sql: 'SELECT * FROM ??', bindings: [partition] },
      ...(retire?.alsoRemoved(partition) ?? []),
    ];
    await opts.beforeDrop?.(trx, rows);
    await retire?.cleanup(trx, partition);
    await trx.raw('DROP TABLE ??', [partition]);
    return { partition, dropped: true };
  });
}

/**
 * Deletes up to `limit` rows of `t`'s DEFAULT partition whose time is older than now() - `keep` periods (rows
 * that came before the table was partitioned, or were stamped far in the past). Returns the number deleted.
 */
export async function purgeDefaultPartition(
  db: Knex,
  t: PartitionedTable,
  keep: number,
  limit: number,
): Promise<number> {
  const { rows } = await db.raw<{ rows: { dflt: string | null }[] }>(
    `SELECT nullif(partdefid, 0)::regclass::text AS dflt FROM pg_partitioned_table WHERE partrelid = ?::regclass`,
    [t.table],
  );
  const dflt = rows[0]?.dflt;
  if (!dflt) return 0;
  const res = await db.raw<{ rowCount: number }>(
    `DELETE FROM ${dflt} WHERE ctid IN (SELECT ctid FROM ${dflt} WHERE ?? < now() - make_interval(months => ?, days => ?) LIMIT ?)`,
    [t.column, t.period === 'month' ? keep : 0, t.period === 'day' ? keep : 0, limit],
  );
  return res.rowCount ?? 0;
}

const MAINTENANCE_LOCK = `hashtext('aos_partition_maintenance')`;

/**
 * Runs `fn` while holding the session-level advisory lock of partition maintenance on a connection of its own, so
 * one process at a time maintains partitions. Answers `{ ran: false }` without waiting when another holds it.
 * `fn` runs its queries on other connections of the pool, so the pool needs at least two.
 */
export async function withMaintenanceLock<T>(
  db: Knex,
  fn: () => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  const conn: unknown = await db.client.acquireConnection();
  try {
    const { rows } = await db.raw(`SELECT pg_try_advisory_lock(${MAINTENANCE_LOCK}) AS ok`).connection(conn);
    if (!rows[0]?.ok) return { ran: false };
    try {
      return { ran: true, result: await fn() };
    } finally {
      await db.raw(`SELECT pg_advisory_unlock(${MAINTENANCE_LOCK})`).connection(conn);
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}
