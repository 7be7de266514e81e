/**
 * Group commit: writes that arrive while earlier ones are in flight are flushed together. The first write
 * after a quiet spell goes out at once (no added latency); under load, everything that queued during one
 * round trip becomes the next batch, so many concurrent writers cost a few statements instead of one each.
 */

/** Options of {@link createGroupCommit}. */
export interface GroupCommitOptions {
  /** Batches in flight at once [1]. */
  maxInFlight?: number;
  /** Largest batch [500]. */
  maxBatch?: number;
}

/** One flush's outcome per item: undefined = written, an Error = that item failed. */
export type FlushResult = ReadonlyArray<Error | undefined>;

/** Queues items and flushes them in batches; `write` settles when its item's batch did. */
export interface GroupCommit<T> {
  write(item: T): Promise<void>;
}

interface Queued<T> {
  item: T;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Builds a group commit over `flush`, which writes one batch and answers per item (or throws: every item of
 * the batch fails with that error).
 */
export function createGroupCommit<T>(flush: (items: T[]) => Promise<FlushResult>, opts: GroupCommitOptions = {}): GroupCommit<T> {
  const maxInFlight = opts.maxInFlight ?? 1;
  const maxBatch = opts.maxBatch ?? 500;
  const queue: Array<Queued<T>> = [];
  let inFlight = 0;

  const settle = (batch: Array<Queued<T>>, results: FlushResult | Error) => {
    batch.forEach((q, i) => {
      const err = results instanceof Error ? results : results[i];
      if (err) q.reject(err);
      else q.resolve();
    });
  };
  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      flush(batch.map((q) => q.item))
        .then((results) => settle(batch, results), (err: unknown) => settle(batch, err instanceof Error ? err : new Error(String(err))))
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };
  return {
    write(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
