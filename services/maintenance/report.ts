/** What one data lifecycle maintenance run did (printed by `npm run maintenance`, logged by the worker). */
import type { Archive } from './archive';

/** What one maintenance run did. */
export interface MaintenanceReport {
  /** True when nothing was changed: `dropped` and `deleted` say what would have been. */
  dryRun: boolean;
  /** Partitions created ahead, by table. */
  created: Record<string, number>;
  /** Partitions dropped (`schema.partition`). */
  dropped: string[];
  /** Expired partitions kept, and why. */
  kept: { partition: string; reason: string }[];
  /** Rows deleted from DEFAULT partitions, by table. */
  purged: Record<string, number>;
  /** Rows deleted by row retention (closed runs, delivered queue rows, closed dead letters), by table. */
  deleted: Record<string, number>;
  /** Archive files written before a drop or delete. */
  archived: { table: string; file: string; rows: number }[];
  /** Tables whose maintenance failed this run (retried next run). */
  failed: { table: string; error: string }[];
}

/** How a run treats what it removes. */
export interface MaintenanceOptions {
  /** Days each row-retention table keeps (`schema.table`); 0 or missing = forever. */
  rowRetention?: Readonly<Record<string, number>>;
  /** Where rows are written before they are removed; none = removed without a copy. */
  archive?: Archive;
  /** Report only. */
  dryRun?: boolean;
  /** Rows per delete batch (default 1000). */
  batchSize?: number;
  /** Batches per table per run (default 100): the rest waits for the next run. */
  maxBatches?: number;
}

/** An empty report. */
export function emptyReport(dryRun = false): MaintenanceReport {
  return { dryRun, created: {}, dropped: [], kept: [], purged: {}, deleted: {}, archived: [], failed: [] };
}

/** The message of a thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
