/**
 * A task definition's `limits` held across every worker (#15, docs/tasks.md "Task rate and concurrency limits,
 * priority"): a lease on one of `concurrency` calls (renewed while the call runs, given back after it), then a
 * rate slot (GCRA), then the call. Both live in PostgreSQL (db/repositories/task-limits.ts); the waits happen
 * in the caller (the activity), on its clock and cancellation.
 */
import type { Knex } from 'knex';
import type { TaskDefinitionSnapshot, TaskLimits } from '../../common/definitions/types';
import { FailureType } from '../../common/errors';
import { createFailure } from '../../common/errors/failures';
import type { Logger } from '../../common/logger';
import { acquireLease, releaseLease, renewLease, takeRateSlot } from '../../db/repositories/task-limits';

/** Defaults of the limiter (ms). */
export const TASK_LIMIT_DEFAULTS = {
  /** A lease lives this long unless renewed: how long a crashed worker's call keeps its place. */
  leaseTtlMs: 30_000,
  /** Longest pause between two tries for a lease (the backoff starts at 50 ms). */
  leasePollMaxMs: 1_000,
  /** Pause before asking again for a rate slot when none fits before the attempt's deadline. */
  ratePollMs: 1_000,
  /** Longest single sleep while waiting, so a heartbeat goes out at least this often. */
  heartbeatEveryMs: 1_000,
} as const;

/** How the caller waits: its sleep (cancellable), its heartbeat, and when its attempt ends. */
export interface LimitWaiter {
  /** Sleeps `ms`; rejects when the call is cancelled (the activity's Context.sleep). */
  sleep(ms: number): Promise<void>;
  /** Keeps the attempt alive while it waits, and lets a cancellation reach it. */
  heartbeat?(): void;
  /** Longest sleep between two heartbeats [TASK_LIMIT_DEFAULTS.heartbeatEveryMs]. */
  heartbeatEveryMs?: number;
  /** Epoch ms when the attempt times out (start-to-close or schedule-to-close, the earlier), if known. */
  deadline?: number;
}

/** How long a call waited for its limits (ms). */
export interface LimitWaits {
  leaseMs: number;
  rateMs: number;
}

/** Runs calls of limited task definitions inside their limits. */
export interface TaskLimiter {
  /**
   * Runs `call` once this holder has a lease (when `concurrency` is set) and its rate slot has come (when
   * `rate_per_second` is set); calls `call` at once, touching nothing, for a task without limits.
   */
  run<T>(
    task: TaskDefinitionSnapshot,
    holder: string,
    waiter: LimitWaiter,
    call: (waits: LimitWaits) => Promise<T>,
  ): Promise<T>;
}

/** What the limiter is built from. */
export interface TaskLimiterDeps {
  db: Knex;
  logger: Logger;
  leaseTtlMs?: number;
  leasePollMaxMs?: number;
  ratePollMs?: number;
}

/** Whether a task definition has a limit that costs a database round trip. */
export function hasLimits(limits: TaskLimits | undefined): limits is TaskLimits {
  return limits?.rate_per_second !== undefined || limits?.concurrency !== undefined;
}

const jitter = (ms: number) => Math.round(ms * (0.75 + Math.random() * 0.5));

/** Sleeps `ms` (until a fixed time, so slices do not add up late), heartbeating between slices. */
async function wait(waiter: LimitWaiter, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    waiter.heartbeat?.();
    const every = waiter.heartbeatEveryMs ?? TASK_LIMIT_DEFAULTS.heartbeatEveryMs;
    await waiter.sleep(waiter.heartbeat ? Math.min(left, every) : left);
  }
}

/** The attempt has outlived its deadline: Temporal has timed it out already, so stop waiting for nothing. */
function pastDeadline(task: TaskDefinitionSnapshot, waiter: LimitWaiter, what: string): void {
  if (waiter.deadline !== undefined && Date.now() > waiter.deadline)
    throw createFailure(FailureType.Timeout, `task ${task.task_id}: the attempt timed out waiting for its ${what}`, {
      nonRetryable: false,
    });
}

/** Builds the limiter over the database. */
export function createTaskLimiter(deps: TaskLimiterDeps): TaskLimiter {
  const ttl = deps.leaseTtlMs ?? TASK_LIMIT_DEFAULTS.leaseTtlMs;
  const pollMax = deps.leasePollMaxMs ?? TASK_LIMIT_DEFAULTS.leasePollMaxMs;
  const ratePoll = deps.ratePollMs ?? TASK_LIMIT_DEFAULTS.ratePollMs;
  const { db } = deps;

  async function lease(task: TaskDefinitionSnapshot, limit: number, holder: string, waiter: LimitWaiter) {
    let backoff = 50;
    for (;;) {
      if (await acquireLease(db, task.task_id, holder, limit, ttl)) return;
      pastDeadline(task, waiter, 'concurrency limit');
      await wait(waiter, jitter(backoff));
      backoff = Math.min(pollMax, backoff * 2);
    }
  }

  async function rateSlot(task: TaskDefinitionSnapshot, limits: TaskLimits, waiter: LimitWaiter): Promise<void> {
    const rate = { ratePerSecond: limits.rate_per_second!, burst: limits.burst };
    for (;;) {
      const horizon = waiter.deadline === undefined ? undefined : Math.max(0, waiter.deadline - Date.now());
      const ms = await takeRateSlot(db, task.task_id, rate, horizon);
      if (ms !== undefined) return wait(waiter, ms);
      pastDeadline(task, waiter, 'rate limit');
      await wait(waiter, jitter(ratePoll));
    }
  }

  return {
    async run(task, holder, waiter, call) {
      const limits = task.limits;
      if (!hasLimits(limits)) return call({ leaseMs: 0, rateMs: 0 });
      const log = deps.logger.child({ taskId: task.task_id, holder });
      const t0 = Date.now();
      // The lease first, then the slot: a call goes at its slot, so no delay after it bunches calls together.
      if (limits.concurrency !== undefined) await lease(task, limits.concurrency, holder, waiter);
      const t1 = Date.now();
      let renewal: NodeJS.Timeout | undefined;
      try {
        if (limits.concurrency !== undefined) {
          renewal = setInterval(() => {
            renewLease(db, task.task_id, holder, ttl).then(
              (held) => held || log.warn('task concurrency lease lapsed while the call ran (renewal came too late)'),
              (err: unknown) => log.warn({ err }, 'task concurrency lease renewal failed'),
            );
          }, ttl / 3);
          renewal.unref();
        }
        if (limits.rate_per_second !== undefined) await rateSlot(task, limits, waiter);
        const waits = { leaseMs: t1 - t0, rateMs: Date.now() - t1 };
        if (waits.leaseMs + waits.rateMs > 0) log.debug(waits, 'task call waited for its limits');
        return await call(waits);
      } finally {
        clearInterval(renewal);
        if (limits.concurrency !== undefined)
          // A failed release costs at most the lease's TTL of one slot.
          await releaseLease(db, task.task_id, holder).catch((err: unknown) =>
            log.warn({ err }, 'task concurrency lease release failed; it expires on its own'),
          );
      }
    },
  };
}
