/**
 * Group commit for single-event ingest: concurrent `publishEvent` calls are coalesced into one multi-row
 * store statement (one transaction, one WAL flush) instead of one statement and commit per event. A call
 * waits at most `windowMs` for company (or until `maxBatch` events are waiting) and is answered only after
 * its statement committed. Idempotency is per event: a repeated eventId, in the same batch or stored
 * before, gets the original row. If a batch fails, its events are retried one by one, so a single bad
 * event fails only its own request.
 */
import type { Knex } from 'knex';
import { insertEvent, insertEvents, type EventInsert, type InsertResult } from '../db/repositories/event-instances';

/** Tuning of the group committer. */
export interface GroupCommitOptions {
  /** Longest a call waits for other calls before its batch is sent (ms). */
  windowMs: number;
  /** Events per statement; a full batch is sent at once. */
  maxBatch: number;
  /** Statements in flight at once (each holds a pool connection); further calls queue up and batch. */
  maxInFlight: number;
}

interface Waiting {
  event: EventInsert;
  resolve: (r: InsertResult) => void;
  reject: (err: unknown) => void;
}

/** Coalesces concurrent single-event stores on one database handle. */
export class GroupCommitter {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(private readonly db: Knex, private readonly opts: GroupCommitOptions) {}

  /** Stores one event as part of the next batch; resolves once that batch committed. */
  store(event: EventInsert): Promise<InsertResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (this.queue.length >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // All slots busy: the queue keeps growing and goes out as one batch when a statement finishes.
    while (this.queue.length > 0 && this.inFlight < this.opts.maxInFlight) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.flush();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      const results = await insertEvents(this.db, batch.map((w) => w.event));
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // Isolate the failure: one event's constraint violation (or a deadlock) must not fail its neighbours.
      await Promise.all(batch.map((w) => insertEvent(this.db, w.event).then(w.resolve, w.reject)));
    }
  }
}

const committers = new WeakMap<Knex, GroupCommitter>();

/** The group committer of a database handle (one per pool, created on first use). */
export function groupCommitter(db: Knex, opts: GroupCommitOptions): GroupCommitter {
  let c = committers.get(db);
  if (!c) committers.set(db, (c = new GroupCommitter(db, opts)));
  return c;
}
