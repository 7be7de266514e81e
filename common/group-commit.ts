/**
 * Group commit: items queued by concurrent callers are written together, one batch per statement (one
 * transaction, one WAL flush) instead of one each, and each caller's promise settles with its own item's
 * outcome, or with the batch's error when the whole flush fails.
 *
 * With no window (the default) the first item after a quiet spell goes out at once (no added latency); under
 * load everything that queued during one round trip becomes the next batch. With `windowMs`, an item waits
 * that long for company unless a full batch is waiting. At most `maxInFlight` batches are written at once;
 * items queued meanwhile go out as soon as one finishes.
 */

/** Tuning of a group commit. */
export interface GroupCommitOptions {
  /** Batches in flight at once [1]; each usually holds a pool connection. */
  maxInFlight?: number;
  /** Largest batch [500]; a full batch is sent at once. */
  maxBatch?: number;
  /** Longest an item waits for others before its batch is sent, in ms [0: no wait]. */
  windowMs?: number;
}

/** One flush's outcome per item, in item order: the item's result, or an Error that fails only that item. */
export type BatchOutcome<R> = ReadonlyArray<R | Error>;

/** Queues items and flushes them in batches; `write` settles when its item's batch did. */
export interface GroupCommit<T, R = undefined> {
  write(item: T): Promise<R>;
}

interface Queued<T, R> {
  item: T;
  resolve(value: R): void;
  reject(err: Error): void;
}

/**
 * Builds a group commit over `flush`, which writes one batch and answers per item (or throws: every item of
 * the batch fails with that error).
 */
export function createGroupCommit<T, R = undefined>(
  flush: (items: T[]) => Promise<BatchOutcome<R>>,
  opts: GroupCommitOptions = {},
): GroupCommit<T, R> {
  const maxInFlight = opts.maxInFlight ?? 1;
  const maxBatch = opts.maxBatch ?? 500;
  const windowMs = opts.windowMs ?? 0;
  const queue: Array<Queued<T, R>> = [];
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const settle = (batch: Array<Queued<T, R>>, results: BatchOutcome<R> | Error) => {
    batch.forEach((q, i) => {
      const out = results instanceof Error ? results : results[i];
      if (out instanceof Error) q.reject(out);
      else q.resolve(out as R);
    });
  };
  const pump = () => {
    clearTimeout(timer);
    timer = undefined;
    // All slots busy: the queue keeps growing and goes out as one batch when a flush finishes.
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      flush(batch.map((q) => q.item))
        .then(
          (results) => settle(batch, results),
          (err: unknown) => settle(batch, err instanceof Error ? err : new Error(String(err))),
        )
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };
  return {
    write(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (windowMs <= 0 || queue.length >= maxBatch) pump();
        else timer ??= setTimeout(pump, windowMs);
      });
    },
  };
}
