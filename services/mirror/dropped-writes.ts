/**
 * Runs whose task mirror writes a worker had to drop (database down past the retry budget). A reconciler rebuilds
 * their task rows from Temporal's history: a dropped write can leave no row at all, and nothing else in the
 * database would point at it.
 *
 * The record is durable and shared: task_execution_service.dropped_task_writes, so it survives the worker that
 * dropped the write and any worker's reconciler repairs the run. The write was dropped because the database was
 * unreachable, so the run first goes into this in-memory buffer, which is flushed to the table in the background
 * (retrying with backoff) and at the start of every reconcile pass; a run leaves the buffer once it is in the table.
 * Only what the buffer held when the process died unflushed is lost (the reconciler's open-row sweep still finds
 * runs that have a row).
 */
import type { Knex } from 'knex';
import type { Logger } from '../../common/logger';
import { recordDroppedTaskWrites, type DroppedRunRecord } from '../../db/repositories/dropped-task-writes';

/** The run a dropped write belonged to. */
export type DroppedRun = DroppedRunRecord;

// Bounded: a long outage on a busy worker must not grow memory without limit; the oldest entries go first.
const MAX_ENTRIES = 10_000;
// Waits between background flush attempts while the database stays unreachable; the last one repeats.
const FLUSH_BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** A bounded buffer of runs with dropped task writes not yet recorded in the table, keyed by run id. */
export class DroppedTaskWrites {
  private readonly runs = new Map<string, DroppedRun>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly flushBackoffMs: readonly number[] = FLUSH_BACKOFF_MS) {}

  /** Remembers that a write of this run was dropped. */
  add(run: DroppedRun): void {
    this.runs.delete(run.runId);
    this.runs.set(run.runId, run);
    if (this.runs.size > MAX_ENTRIES) this.runs.delete(this.runs.keys().next().value as string);
  }

  /** The buffered runs, oldest first (at most `limit`). */
  list(limit: number): DroppedRun[] {
    return [...this.runs.values()].slice(0, limit);
  }

  /** Forgets a buffered run (rebuilt already, or its history is gone). */
  delete(runId: string): void {
    this.runs.delete(runId);
  }

  /** Writes the buffered runs to the table; each written run leaves the buffer. Throws when the database refuses. */
  async flush(db: Knex): Promise<number> {
    const batch = this.list(MAX_ENTRIES);
    if (batch.length === 0) return 0;
    await recordDroppedTaskWrites(db, batch);
    // A run dropped again during the write is a new entry: it stays for the next flush (the row exists anyway).
    for (const run of batch) if (this.runs.get(run.runId) === run) this.runs.delete(run.runId);
    return batch.length;
  }

  /** Flushes in the background until the buffer is empty, waiting longer after each failure. Timers are unref'd. */
  scheduleFlush(db: Knex, logger: Logger): void {
    if (this.flushTimer) return;
    let failures = 0;
    const attempt = () => {
      this.flush(db)
        .then(() => {
          this.flushTimer = undefined;
          if (this.runs.size > 0) this.scheduleFlush(db, logger); // dropped again while writing
        })
        .catch((err: unknown) => {
          if (failures === 0) logger.warn({ err }, 'dropped task writes not recorded yet; retrying');
          failures++;
          if (this.runs.size === 0)
            this.flushTimer = undefined; // another flush (the reconciler) took them
          else arm();
        });
    };
    const arm = () => {
      const wait = this.flushBackoffMs[Math.min(failures, this.flushBackoffMs.length - 1)] ?? 1_000;
      this.flushTimer = setTimeout(attempt, wait);
      this.flushTimer.unref();
    };
    arm();
  }
}

/** The process-wide buffer: the worker's task mirror records into it, the worker's reconciler flushes it. */
export const droppedTaskWrites = new DroppedTaskWrites();
