/**
 * Data lifecycle maintenance (docs/data-lifecycle.md): for every range-partitioned table, create the partitions
 * ahead, then drop the partitions whose whole range is older than the table's retention (each after its guard:
 * unfinished runs and undelivered events keep theirs), and for telemetry delete DEFAULT-partition rows older than
 * it; then row retention (row-retention.ts) for closed runs, delivered queue rows and closed dead letters. With an
 * archive, everything is written to files before it goes. One process at a time (an advisory lock); every table is
 * handled on its own, so one failing never stops the others. The worker runs it on a schedule
 * (workers/partition-maintenance-loop.ts), `npm run maintenance` once.
 */
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { streamQuery } from '../../db/cursor';
import {
  ensureTablePartitions,
  expiredPartitions,
  PARTITIONED_TABLES,
  purgeDefaultPartition,
  retirePartition,
  withMaintenanceLock,
  type PartitionedTable,
  type PartitionRange,
  type RetiredRows,
} from '../../db/partitions';
import { ROW_RETENTION_TABLES } from '../../db/row-retention';
import { archiveTo, fileArchive, type Archive } from './archive';
import { emptyReport, errorMessage, type MaintenanceOptions, type MaintenanceReport } from './report';
import { applyRowRetention } from './row-retention';
import {
  archivedRows,
  archiveFailures,
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

export type { MaintenanceOptions, MaintenanceReport } from './report';

/** The row retentions (days; 0 = forever), the archive and the batch bounds as configured. */
export function maintenanceOptionsFromConfig(
  config: Pick<
    Config,
    | 'workflowInstancesRetentionDays'
    | 'eventQueueRetentionDays'
    | 'deadLettersRetentionDays'
    | 'maintenanceArchiveDir'
    | 'maintenanceBatchSize'
    | 'maintenanceMaxBatches'
  >,
): MaintenanceOptions {
  return {
    rowRetention: {
      'workflow_orchestrator_service.workflow_instances': config.workflowInstancesRetentionDays,
      'event_processing_service.event_queue_state': config.eventQueueRetentionDays,
      'event_processing_service.dead_letter_queue': config.deadLettersRetentionDays,
    },
    archive: config.maintenanceArchiveDir ? fileArchive(config.maintenanceArchiveDir) : undefined,
    batchSize: config.maintenanceBatchSize,
    maxBatches: config.maintenanceMaxBatches,
  };
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

/** `YYYYMMDD` (UTC) of `d`. */
const day = (d: Date): string => d.toISOString().slice(0, 10).replaceAll('-', '');

/** Streams every set of rows a partition drop removes into its own archive file, in the drop's transaction. */
function archivePartition(archive: Archive, p: PartitionRange, report: MaintenanceReport) {
  const range = `${day(p.from)}-${day(p.to)}`;
  const short = p.name.split('.')[1]?.replace(/_p\d+$/, '') ?? p.name;
  return async (trx: Knex.Transaction, sets: RetiredRows[]): Promise<void> => {
    for (const [i, set] of sets.entries()) {
      const label = i === 0 ? range : `of-${short}.${range}`;
      try {
        const file = await archiveTo(
          archive,
          set.table,
          label,
          (f) => streamQuery(trx, set.sql, set.bindings, (rows) => f.write(rows)),
          i > 0, // the partition's own file is written even when empty: a record that it was dropped
        );
        if (!file) continue;
        report.archived.push({ table: set.table, file: file.path, rows: file.rows });
        archivedRows.inc({ table: set.table }, file.rows);
      } catch (err) {
        archiveFailures.inc({ table: set.table });
        throw new Error(`archive of ${p.name} (${set.table}) failed, partition kept: ${errorMessage(err)}`);
      }
    }
  };
}

async function maintainTable(
  db: Knex,
  logger: Logger,
  t: PartitionedTable,
  keep: number,
  report: MaintenanceReport,
  opts: MaintenanceOptions,
): Promise<void> {
  const created = opts.dryRun ? 0 : await ensureTablePartitions(db, t);
  report.created[t.table] = created;
  if (created > 0) {
    partitionsCreated.inc({ table: t.table }, created);
    logger.info({ table: t.table, created }, 'partitions created ahead');
  }
  if (keep <= 0) return; // kept forever
  for (const p of await expiredPartitions(db, t, keep)) {
    const outcome = await retirePartition(db, t, p.name, {
      dryRun: opts.dryRun,
      beforeDrop: opts.archive && archivePartition(opts.archive, p, report),
    });
    // A dry run reports what its guards allow, and counts and logs nothing.
    if (outcome.dropped) {
      report.dropped.push(p.name);
      if (opts.dryRun) continue;
      partitionsDropped.inc({ table: t.table });
      logger.info({ table: t.table, partition: p.name, from: p.from, to: p.to }, 'expired partition dropped');
    } else {
      report.kept.push({ partition: p.name, reason: outcome.reason });
      if (opts.dryRun) continue;
      partitionsKept.inc({ table: t.table });
      logger.info({ table: t.table, partition: p.name, reason: outcome.reason }, 'expired partition kept');
    }
  }
  if (t.purgeDefault && !opts.dryRun) {
    const purged = await purge(db, t, keep);
    report.purged[t.table] = purged;
    if (purged > 0) logger.info({ table: t.table, rows: purged }, 'expired rows deleted from the default partition');
  }
}

/**
 * One maintenance run over every partitioned table (`tables`), then the row retentions of `opts`, or undefined
 * (counted as `locked`) when another process is running it. A table's failure is logged, reported and retried next
 * run; only a database that cannot be reached at all makes it throw.
 */
export async function runPartitionMaintenance(
  deps: { db: Knex; logger: Logger },
  retention: Retention,
  tables: readonly PartitionedTable[] = PARTITIONED_TABLES,
  opts: MaintenanceOptions = {},
): Promise<MaintenanceReport | undefined> {
  const { db, logger } = deps;
  let locked: Awaited<ReturnType<typeof withMaintenanceLock<MaintenanceReport>>>;
  try {
    locked = await withMaintenanceLock(db, async () => {
      const report = emptyReport(opts.dryRun);
      for (const t of tables) {
        try {
          await maintainTable(db, logger, t, retention[t.table] ?? 0, report, opts);
        } catch (err) {
          report.failed.push({ table: t.table, error: errorMessage(err) });
          logger.warn({ err, table: t.table }, 'partition maintenance failed; retried next run');
        }
      }
      for (const table of ROW_RETENTION_TABLES) {
        const keep = opts.rowRetention?.[table] ?? 0;
        if (keep <= 0) continue; // kept forever
        try {
          await applyRowRetention({ db, logger }, table, keep, opts, report);
        } catch (err) {
          report.failed.push({ table, error: errorMessage(err) });
          logger.warn({ err, table }, 'row retention failed; retried next run');
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
