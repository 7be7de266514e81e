/**
 * Row retention (docs/data-lifecycle.md): closed runs, delivered queue rows and closed dead letters past their
 * retention are deleted in bounded batches (at most `maxBatches` of `batchSize` per table per run; the rest waits
 * for the next run), each batch archived first when an archive is configured. Called by the maintenance run
 * (partition-maintenance.ts) under its lock.
 */
import type { Knex } from 'knex';
import type { Logger } from '../../common/logger';
import {
  countExpiredRows,
  deleteExpiredBatch,
  type ExpiredBatch,
  type RowRetentionTable,
} from '../../db/row-retention';
import { archivedRows, archiveFailures, retentionRowsDeleted } from '../observability/metrics';
import { archiveTo, type Archive } from './archive';
import type { MaintenanceOptions, MaintenanceReport } from './report';

const BATCH = 1000;
const MAX_BATCHES = 100;

/** `YYYYMMDDTHHMMSSZ` of `d`. */
function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Writes a batch and its dependents, one file per table; answers the files. */
async function archiveBatch(
  archive: Archive,
  batch: ExpiredBatch,
  label: string,
  report: MaintenanceReport,
): Promise<void> {
  const short = batch.table.split('.')[1] ?? batch.table;
  const parts = [
    { table: batch.table, rows: batch.rows, label },
    ...batch.dependents.map((d) => ({ ...d, label: `of-${short}.${label}` })),
  ];
  for (const part of parts) {
    if (part.rows.length === 0) continue;
    try {
      const file = await archiveTo(archive, part.table, part.label, async (f) => {
        await f.write(part.rows);
        return part.rows.length;
      });
      if (!file) continue;
      report.archived.push({ table: part.table, file: file.path, rows: file.rows });
      archivedRows.inc({ table: part.table }, file.rows);
    } catch (err) {
      archiveFailures.inc({ table: part.table });
      throw new Error(`archive of ${part.table} failed, nothing deleted: ${err instanceof Error ? err.message : err}`);
    }
  }
}

/** Applies the retention of one table: deletes (or, dry, counts) its expired rows. Throws on a failed batch. */
export async function applyRowRetention(
  deps: { db: Knex; logger: Logger },
  table: RowRetentionTable,
  keepDays: number,
  opts: MaintenanceOptions,
  report: MaintenanceReport,
): Promise<void> {
  const batchSize = opts.batchSize ?? BATCH;
  const maxBatches = opts.maxBatches ?? MAX_BATCHES;
  if (opts.dryRun) {
    report.deleted[table] = await countExpiredRows(deps.db, table, keepDays, batchSize * maxBatches);
    return;
  }
  const runAt = stamp(new Date());
  let total = 0;
  try {
    for (let i = 1; i <= maxBatches; i++) {
      const label = `${runAt}.b${String(i).padStart(4, '0')}`;
      const n = await deleteExpiredBatch(deps.db, table, keepDays, batchSize, async (batch) => {
        if (opts.archive) await archiveBatch(opts.archive, batch, label, report);
      });
      total += n;
      if (n > 0) retentionRowsDeleted.inc({ table }, n);
      if (n < batchSize) break;
    }
  } finally {
    report.deleted[table] = total;
    if (total > 0) deps.logger.info({ table, rows: total, keepDays }, 'expired rows deleted');
  }
}
