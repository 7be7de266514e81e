/**
 * Partition maintenance: for every range-partitioned table, create the partitions ahead, then drop the partitions
 * whose whole range is older than the table's retention (each after its guard: unfinished runs and undelivered
 * events keep theirs), and for telemetry delete DEFAULT-partition rows older than it. One process at a time
 * (an advisory lock); every table is handled on its own, so one failing never stops the others. The worker runs it
 * periodically (workers/partition-maintenance-loop.ts), `npm run maintenance` once.
 */
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import {
  ensureTablePartitions,
  expiredPartitions,
  PARTITIONED_TABLES,
  purgeDefaultPartition,
  retirePartition,
  withMaintenanceLock,
  type PartitionedTable,
} from '../../db/partitions';
import {
  partitionMaintenanceRuns,
  partitionsCreated,
  partitionsDropped,
  partitionsKept,
} from '../observability/metrics';

/** How long each partitioned table (`schema.table`) is kept, in its own period (days or months); 0 = forever. */
export type Retention = Readonly<Record<string, number>>;

/** The retention of every partitioned table as configured. */
export function retentionFromConfig(
  config: Pick<
    Config,
    | 'observabilityLogsRetentionDays'
    | 'observabilityTracesRetentionDays'
    | 'observabilityMetricsRetentionDays'
    | 'eventInstancesRetentionMonths'
    | 'taskInstancesRetentionMonths'
  >,
): Retention {
  return {
    'observability_service.observability_logs': config.observabilityLogsRetentionDays,
    'observability_service.observability_traces': config.observabilityTracesRetentionDays,
    'observability_service.observability_metrics': config.observabilityMetricsRetentionDays,
    'event_processing_service.event_instances': config.eventInstancesRetentionMonths,
    'task_execution_service.task_instances': config.taskInstancesRetentionMonths,
  };
}

/** What one maintenance run did. */
export interface MaintenanceReport {
  /** Partitions created ahead, by table. */
  created: Record<string, number>;
  /** Partitions dropped (`schema.partition`). */
  dropped: string[];
  /** Expired partitions kept, and why. */
  kept: { partition: string; reason: string }[];
  /** Rows deleted from DEFAULT partitions, by table. */
  purged: Record<string, number>;
  /** Tables whose maintenance failed this run (retried next run). */
  failed: { table: string; error: string }[];
}

/** Rows deleted from one DEFAULT partition per statement, and at most this many statements per run. */
const PURGE_BATCH = 10_000;
const PURGE_BATCHES_PER_RUN = 10;

async function purge(db: Knex, t: PartitionedTable, keep: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < PURGE_BATCHES_PER_RUN; i++) {
    const n = await purgeDefaultPartition(db, t, keep, PURGE_BATCH);
    total += n;
    if (n < PURGE_BATCH) break;
  }
  return total;
}

async function maintainTable(
  db: Knex,
  logger: Logger,
  t: PartitionedTable,
  keep: number,
  report: MaintenanceReport,
): Promise<void> {
  const created = await ensureTablePartitions(db, t);
  report.created[t.table] = created;
  if (created > 0) {
    partitionsCreated.inc({ table: t.table }, created);
    logger.info({ table: t.table, created }, 'partitions created ahead');
  }
  if (keep <= 0) return; // kept forever
  for (const p of await expiredPartitions(db, t, keep)) {
    const outcome = await retirePartition(db, t, p.name);
    if (outcome.dropped) {
      report.dropped.push(p.name);
      partitionsDropped.inc({ table: t.table });
      logger.info({ table: t.table, partition: p.name, from: p.from, to: p.to }, 'expired partition dropped');
    } else {
      report.kept.push({ partition: p.name, reason: outcome.reason });
      partitionsKept.inc({ table: t.table });
      logger.info({ table: t.table, partition: p.name, reason: outcome.reason }, 'expired partition kept');
    }
  }
  if (t.purgeDefault) {
    const purged = await purge(db, t, keep);
    report.purged[t.table] = purged;
    if (purged > 0) logger.info({ table: t.table, rows: purged }, 'expired rows deleted from the default partition');
  }
}

/**
 * One maintenance run over every partitioned table, or undefined (counted as `locked`) when another process is
 * running it. A table's failure is logged, reported and retried next run; only a database that cannot be reached
 * at all makes it throw.
 */
export async function runPartitionMaintenance(
  deps: { db: Knex; logger: Logger },
  retention: Retention,
  tables: readonly PartitionedTable[] = PARTITIONED_TABLES,
): Promise<MaintenanceReport | undefined> {
  const { db, logger } = deps;
  let locked: Awaited<ReturnType<typeof withMaintenanceLock<MaintenanceReport>>>;
  try {
    locked = await withMaintenanceLock(db, async () => {
      const report: MaintenanceReport = { created: {}, dropped: [], kept: [], purged: {}, failed: [] };
      for (const t of tables) {
        try {
          await maintainTable(db, logger, t, retention[t.table] ?? 0, report);
        } catch (err) {
          report.failed.push({ table: t.table, error: err instanceof Error ? err.message : String(err) });
          logger.warn({ err, table: t.table }, 'partition maintenance failed; retried next run');
        }
      }
      return report;
    });
  } catch (err) {
    partitionMaintenanceRuns.inc({ outcome: 'failed' }); // no connection, or the lock query failed
    throw err;
  }
  if (!locked.ran) {
    partitionMaintenanceRuns.inc({ outcome: 'locked' });
    return undefined;
  }
  partitionMaintenanceRuns.inc({ outcome: locked.result.failed.length > 0 ? 'failed' : 'ok' });
  return locked.result;
}
