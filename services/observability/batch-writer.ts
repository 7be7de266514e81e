/**
 * A bounded, batched, lossy writer for telemetry rows (log lines, spans, metric samples): `offer()` never awaits
 * and never throws, a single flush loop writes batches with one call of the sink, and whatever cannot be written
 * promptly is dropped and counted instead of retried or waited for. Telemetry must never slow or endanger the
 * requests and activities it observes.
 */

/** Why rows were dropped: the queue was full, a write failed or took too long, or the writer was closed. */
export type DropReason = 'queue_full' | 'write_failed' | 'write_timeout' | 'closed';

export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'write_failed', 'write_timeout', 'closed'];

/** Counters of a writer since it was created (monotonic, except `queued` and `inFlight`). */
export interface BatchWriterStats {
  /** The writer's name (e.g. `logs`), a stable label for metrics. */
  name: string;
  /** Rows handed to `offer()`. */
  offered: number;
  /** Rows whose write succeeded. */
  written: number;
  /** Rows dropped, by reason. */
  dropped: Record<DropReason, number>;
  /** Rows waiting in the queue now. */
  queued: number;
  /** Writes begun and not yet settled (a timed-out write stays here until its promise settles). */
  inFlight: number;
}

/** Settings of a {@link BatchWriter}. */
export interface BatchWriterOptions<T> {
  /** Label in the stats. */
  name: string;
  /** Writes one batch (one multi-row statement); rejecting or outlasting `writeTimeoutMs` drops the batch. */
  write?: (rows: T[]) => Promise<unknown>;
  /** Most rows waiting; offers beyond it are dropped (`queue_full`). Default 10000. */
  capacity?: number;
  /** Most rows per write; a full batch is written at once. Default 500. */
  batchSize?: number;
  /** Longest a row waits before its (partial) batch is written. Default 1000. */
  intervalMs?: number;
  /** A write still pending after this long counts its rows as dropped (`write_timeout`). Default 5000. */
  writeTimeoutMs?: number;
  /**
   * Most writes pending at once, a timed-out one included: while that many hang the queue fills and drops
   * instead of piling up connections. Default 2.
   */
  maxInFlight?: number;
  /** Told about every drop (after the counters move); must not offer back into this writer. Errors are ignored. */
  onDrop?: (reason: DropReason, count: number, err?: unknown) => void;
}

/** The writers not yet closed, for {@link batchWriterStats}. */
const open = new Set<BatchWriter<unknown>>();

/** The counters of every writer of this process not yet closed (e.g. for a metrics endpoint), by creation order. */
export function batchWriterStats(): BatchWriterStats[] {
  return [...open].map((w) => w.stats());
}

/** See the module comment. Writes nothing until a sink is set (constructor or {@link BatchWriter.start}). */
export class BatchWriter<T> {
  private readonly queue: T[] = [];
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly writeTimeoutMs: number;
  private readonly maxInFlight: number;
  private write: ((rows: T[]) => Promise<unknown>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private soon = false;
  private closed = false;
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly counters = {
    offered: 0,
    written: 0,
    dropped: { queue_full: 0, write_failed: 0, write_timeout: 0, closed: 0 } as Record<DropReason, number>,
  };

  constructor(private readonly opts: BatchWriterOptions<T>) {
    this.capacity = Math.max(1, opts.capacity ?? 10_000);
    this.batchSize = Math.max(1, opts.batchSize ?? 500);
    this.intervalMs = Math.max(1, opts.intervalMs ?? 1000);
    this.writeTimeoutMs = Math.max(1, opts.writeTimeoutMs ?? 5000);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
    open.add(this as BatchWriter<unknown>);
    if (opts.write) this.start(opts.write);
  }

  /** Sets the sink (once the database exists) and starts the flush loop. */
  start(write: (rows: T[]) => Promise<unknown>): void {
    if (this.closed) return;
    this.write = write;
    if (!this.timer) {
      this.timer = setInterval(() => this.flushSome(), this.intervalMs);
      this.timer.unref();
    }
    if (this.queue.length > 0) this.flushSoon();
  }

  /** Queues a row; false when it was dropped (queue full or writer closed). Never throws, never waits. */
  offer(row: T): boolean {
    this.counters.offered++;
    if (this.closed) return (this.drop('closed', 1), false);
    if (this.queue.length >= this.capacity) return (this.drop('queue_full', 1), false);
    this.queue.push(row);
    if (this.queue.length >= this.batchSize) this.flushSoon();
    return true;
  }

  /** A snapshot of the counters. */
  stats(): BatchWriterStats {
    const { offered, written, dropped } = this.counters;
    return {
      name: this.opts.name,
      offered,
      written,
      dropped: { ...dropped },
      queued: this.queue.length,
      inFlight: this.inFlight,
    };
  }

  /**
   * Writes what is queued (batch by batch) and waits for it, at most `deadlineMs`. Rows still queued after
   * that stay queued. With no sink set it returns at once.
   */
  async flush(deadlineMs = this.writeTimeoutMs): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (this.write && Date.now() < until) {
      this.flushSome();
      if (this.pending.size === 0) return;
      await Promise.race([Promise.race(this.pending), sleep(Math.max(1, until - Date.now()))]);
      if (this.queue.length === 0 && this.pending.size === 0) return;
    }
  }

  /** Stops taking rows, flushes with a deadline, then drops (`closed`) whatever is still queued. */
  async close(deadlineMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    open.delete(this as BatchWriter<unknown>);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush(deadlineMs);
    if (this.queue.length > 0) this.drop('closed', this.queue.splice(0).length);
  }

  private flushSoon(): void {
    if (this.soon || !this.write) return;
    this.soon = true;
    setImmediate(() => {
      this.soon = false;
      this.flushSome();
    });
  }

  /** Starts writes while rows wait and fewer than `maxInFlight` are pending. */
  private flushSome(): void {
    const write = this.write;
    if (!write) return;
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.batchSize);
      this.inFlight++;
      let timedOut = false;
      let timeout: NodeJS.Timeout | undefined;
      let attempt: Promise<unknown>;
      try {
        attempt = Promise.resolve(write(batch));
      } catch (err) {
        attempt = Promise.reject(err);
      }
      // The row count is settled by whichever comes first; a late success after a timeout stays counted dropped.
      const timer = new Promise<void>((resolve) => {
        timeout = setTimeout(() => {
          timedOut = true;
          this.drop('write_timeout', batch.length);
          resolve();
        }, this.writeTimeoutMs);
        timeout.unref();
      });
      const settled = attempt.then(
        () => {
          if (!timedOut) this.counters.written += batch.length;
        },
        (err: unknown) => {
          if (!timedOut) this.drop('write_failed', batch.length, err);
        },
      );
      const done = Promise.race([settled, timer]).then(() => clearTimeout(timeout));
      this.pending.add(done);
      void done.then(() => this.pending.delete(done));
      void settled.then(() => {
        this.inFlight--;
        if (this.queue.length >= this.batchSize) this.flushSoon();
      });
    }
  }

  private drop(reason: DropReason, count: number, err?: unknown): void {
    this.counters.dropped[reason] += count;
    try {
      this.opts.onDrop?.(reason, count, err);
    } catch {
      // A reporter's failure must not reach the caller of offer().
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A drop reporter that writes a JSON line (pino's shape, level warn) on stderr, each reason at most once a minute
 * with the count since the last. For writers that serve the logger itself: never reports through it (no loop).
 */
export function stderrDropReporter(message: string): (reason: DropReason, count: number, err?: unknown) => void {
  const last = new Map<DropReason, number>();
  const since = new Map<DropReason, number>();
  return (reason, count, err) => {
    since.set(reason, (since.get(reason) ?? 0) + count);
    const now = Date.now();
    if (now - (last.get(reason) ?? 0) < 60_000) return;
    last.set(reason, now);
    const dropped = since.get(reason);
    since.set(reason, 0);
    process.stderr.write(
      `${JSON.stringify({
        level: 40,
        time: now,
        msg: message,
        reason,
        dropped,
        err: err instanceof Error ? err.message : undefined,
      })}\n`,
    );
  };
}
