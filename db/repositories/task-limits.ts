/**
 * task_execution_service.task_rate_limits and task_concurrency_leases (migration 018): a task definition's call
 * rate and concurrent calls, shared by every worker (#15, docs/tasks.md "Task rate and concurrency limits").
 *
 * Every time is the database's clock (clock_timestamp(), read after any row lock is taken), so workers whose
 * clocks disagree still space their calls right.
 */
import type { Db } from './sql';

export const TASK_RATE_LIMITS = 'task_execution_service.task_rate_limits';
export const TASK_CONCURRENCY_LEASES = 'task_execution_service.task_concurrency_leases';

/** A task's rate: `ratePerSecond` calls a second on average, up to `burst` of them at once [1]. */
export interface RateLimit {
  ratePerSecond: number;
  burst?: number;
}

/**
 * Reserves the next call slot of `taskId` (GCRA, one atomic statement: the row lock serialises every worker).
 * The theoretical arrival time `tat` moves to `greatest(tat, now) + 1/rate`; the call may go at
 * `greatest(now, tat_before - (burst - 1)/rate)`, i.e. `greatest(now, tat_after - burst/rate)`. Returns how long
 * the caller waits (ms, 0 = go now), or undefined, reserving nothing, when that wait would exceed `maxWaitMs`
 * (a call that could not go before its own deadline must not push every later call back).
 */
export async function takeRateSlot(
  db: Db,
  taskId: string,
  { ratePerSecond, burst = 1 }: RateLimit,
  maxWaitMs: number = Number.POSITIVE_INFINITY,
): Promise<number | undefined> {
  const intervalUs = Math.max(1, Math.round(1e6 / ratePerSecond));
  // An "infinite" horizon as a finite interval (a century), so the SQL stays one shape.
  const maxWaitUs = Number.isFinite(maxWaitMs) ? Math.max(0, Math.round(maxWaitMs * 1000)) : 3.2e15;
  const us = (name: string) => `(:${name})::float8 * interval '1 microsecond'`;
  const { rows } = await db.raw<{ rows: Array<{ wait_ms: number }> }>(
    `INSERT INTO ${TASK_RATE_LIMITS} AS r (task_id, tat, updated_at)
     VALUES (:taskId, clock_timestamp() + ${us('interval')}, clock_timestamp())
     ON CONFLICT (task_id) DO UPDATE
        SET tat = greatest(r.tat, clock_timestamp()) + ${us('interval')},
            updated_at = clock_timestamp()
      WHERE r.tat - ${us('tolerance')} <= clock_timestamp() + ${us('maxWait')}
     RETURNING greatest(0, extract(epoch FROM (r.tat - ${us('emission')} - clock_timestamp())) * 1000)::float8 AS wait_ms`,
    // tolerance: how far ahead of its spacing a call may go (a burst); emission: burst * interval.
    {
      taskId,
      interval: intervalUs,
      tolerance: (burst - 1) * intervalUs,
      emission: burst * intervalUs,
      maxWait: maxWaitUs,
    },
  );
  return rows.length === 0 ? undefined : Number(rows[0].wait_ms);
}

/** The lease rows of one task definition (tests, diagnostics). */
export interface LeaseRow {
  id: string;
  task_id: string;
  holder: string;
  acquired_at: Date;
  expires_at: Date;
}

/**
 * Takes a lease on one of `limit` concurrent calls of `taskId` for `holder`, valid `ttlMs`. Under a
 * transaction-scoped advisory lock per task: expired leases are deleted, then the lease is inserted when fewer
 * than `limit` unexpired leases of other holders exist. A holder that already has one renews it (a retried
 * acquire is idempotent). Returns whether the holder now has a lease.
 */
export async function acquireLease(
  db: Db,
  taskId: string,
  holder: string,
  limit: number,
  ttlMs: number,
): Promise<boolean> {
  return db.transaction(async (trx: Db): Promise<boolean> => {
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('aos:task-concurrency'), hashtext(?))`, [taskId]);
    // A new statement, a new snapshot (READ COMMITTED): it sees every lease committed before the lock was ours.
    await trx.raw(`DELETE FROM ${TASK_CONCURRENCY_LEASES} WHERE task_id = ? AND expires_at <= clock_timestamp()`, [
      taskId,
    ]);
    const { rows } = await trx.raw<{ rows: unknown[] }>(
      `INSERT INTO ${TASK_CONCURRENCY_LEASES} AS l (task_id, holder, expires_at)
       SELECT :taskId, :holder, clock_timestamp() + (:ttl)::float8 * interval '1 millisecond'
        WHERE (SELECT count(*) FROM ${TASK_CONCURRENCY_LEASES}
                WHERE task_id = :taskId AND holder <> :holder) < (:limit)::int
           OR EXISTS (SELECT 1 FROM ${TASK_CONCURRENCY_LEASES} WHERE task_id = :taskId AND holder = :holder)
       ON CONFLICT (task_id, holder) DO UPDATE SET expires_at = excluded.expires_at
       RETURNING l.id`,
      { taskId, holder, ttl: Math.round(ttlMs), limit },
    );
    return rows.length === 1;
  });
}

/** Extends the holder's lease by `ttlMs` from now; false when it is gone (it expired and another took it). */
export async function renewLease(db: Db, taskId: string, holder: string, ttlMs: number): Promise<boolean> {
  const n = await db(TASK_CONCURRENCY_LEASES)
    .where({ task_id: taskId, holder })
    .update({ expires_at: db.raw(`clock_timestamp() + (?)::float8 * interval '1 millisecond'`, [Math.round(ttlMs)]) });
  return n > 0;
}

/** Gives the holder's lease back. */
export async function releaseLease(db: Db, taskId: string, holder: string): Promise<void> {
  await db(TASK_CONCURRENCY_LEASES).where({ task_id: taskId, holder }).delete();
}

/** The leases of a task, oldest first. */
export async function listLeases(db: Db, taskId: string): Promise<LeaseRow[]> {
  return db(TASK_CONCURRENCY_LEASES).where({ task_id: taskId }).orderBy('acquired_at');
}

/** The rate row of a task, if any call took a slot. */
export async function findRateLimit(db: Db, taskId: string): Promise<{ task_id: string; tat: Date } | undefined> {
  return db(TASK_RATE_LIMITS).where({ task_id: taskId }).first();
}
