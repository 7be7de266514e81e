/**
 * The task half of the lifecycle mirror: runTask writes task_instances itself (no extra workflow history).
 *
 * One row per scheduled activity: keyed by (workflow_instance_id, execution_key = `<runId>/<activityId>`,
 * created_at = the activity's first scheduled time), so every attempt of one step execution updates the
 * same row and a loop that runs the step again gets a new row. Ordering: mirror_seq = attempt * 2 (+1 when
 * the attempt ended); a write applies only when its seq is higher, so a retried write is a no-op and a
 * late "running" never overwrites the attempt's end. A higher attempt does replace a "completed" row:
 * that happens only when Temporal never recorded the completion (worker died right after it) and runs
 * the task again, and the mirror follows Temporal.
 *
 * A fast attempt writes once: the "running" write waits `runningWriteDelayMs` (200 ms) and is skipped when
 * the attempt ends first; the end write carries started_at too. This halves the writes of short tasks (most
 * of them) and takes one database round trip off every step's critical path.
 *
 * Writes go through a group commit (group-commit.ts): the attempts that end while a write is in flight are
 * written together in the next statement, so concurrent attempts (a wide `parallel`, many runs) share round
 * trips and commits instead of paying one each.
 *
 * A write still failing after the retries is dropped and its run recorded in droppedTaskWrites (buffered, then
 * written to dropped_task_writes when the database is back); a reconciler on any worker rebuilds that run's rows
 * from Temporal's history with the same key (task-rebuild.ts).
 */
import type { Knex } from 'knex';
import type { StepContext, TaskDefinitionSnapshot } from '../../common/definitions/types';
import { taskDefinitions } from '../../db/repositories/task-definitions';
import {
  taskAttemptKey,
  upsertTaskAttempt,
  upsertTaskAttempts,
  type TaskAttemptRow,
} from '../../db/repositories/task-attempt-upsert';
import { createGroupCommit, type BatchOutcome } from '../../common/group-commit';
import type { Logger } from '../../common/logger';
import { droppedTaskWrites, type DroppedTaskWrites } from './dropped-writes';
import { isPermanentDbError, withMirrorRetry } from './retry';

/** Identity and timing of one activity attempt. */
export interface TaskAttempt {
  task: TaskDefinitionSnapshot;
  ctx: StepContext;
  input: unknown;
  attempt: number;
  activityId: string;
  /** The activity's first scheduled time (stable across attempts): the row's partition key. */
  scheduledAt: Date;
  startedAt: Date;
}

/** How an attempt ended. */
export interface TaskAttemptEnd {
  status: 'completed' | 'failed' | 'cancelled' | 'timed_out';
  output?: unknown;
  error?: { type: string; message: string; nonRetryable?: boolean };
  endedAt: Date;
}

/** Writes attempt transitions; never throws (see docs/lifecycle-mirror.md for why). */
export interface TaskMirror {
  /** The attempt began: its "running" row is written if it is still going after the delay. */
  started(a: TaskAttempt): void;
  /** The attempt ended: cancels a pending "running" write and writes the final row. */
  finished(a: TaskAttempt, end: TaskAttemptEnd): Promise<void>;
}

/** Default delay before an attempt's "running" row is written (a shorter attempt writes only its end). */
export const RUNNING_WRITE_DELAY_MS = 200;

/** Options of the task mirror. */
export interface TaskMirrorOptions {
  /** false: skip every write (benchmarks, mirror off) [true]. */
  enabled?: boolean;
  /** Backoff (ms) between write retries [MIRROR_BACKOFF_MS]. */
  backoff?: readonly number[];
  /** Delay (ms) before the "running" write [RUNNING_WRITE_DELAY_MS]; 0 writes it at once. */
  runningWriteDelayMs?: number;
  /** Where dropped writes are recorded for the reconciler [the process-wide droppedTaskWrites]. */
  drops?: DroppedTaskWrites;
}

// ltree labels are [A-Za-z0-9_] on PostgreSQL < 16; the interpreter already emits safe paths, this is a guard.
function ltreeSafe(path: string): string {
  return path
    .split('.')
    .map((l) => l.replace(/[^A-Za-z0-9_]/g, '_') || '_')
    .join('.');
}

const json = (v: unknown) => JSON.stringify(v === undefined ? null : v);

// task_definitions.id by task_id@version: looked up once per worker (versions are immutable once active).
const definitionIds = new Map<string, string | null>();
async function taskDefinitionId(db: Knex, task: TaskDefinitionSnapshot): Promise<string | null> {
  const key = `${task.task_id}@${task.version}`;
  if (!definitionIds.has(key)) {
    const row = await taskDefinitions.getVersion(db, task.task_id, task.version);
    if (definitionIds.size > 10_000) definitionIds.clear();
    definitionIds.set(key, row?.id ?? null);
  }
  return definitionIds.get(key) ?? null;
}

/** The row key of an attempt's activity: the reconciler must produce exactly this to update the same row. */
export function taskExecutionKey(runId: string, activityId: string): string {
  return `${runId}/${activityId}`;
}

/** The row an attempt's write sets (seq: attempt * 2 when it began, + 1 when it ended). */
async function attemptRow(db: Knex, a: TaskAttempt, seq: number, end?: TaskAttemptEnd): Promise<TaskAttemptRow> {
  return {
    workflow_instance_id: a.ctx.instanceId,
    execution_key: taskExecutionKey(a.ctx.runId, a.activityId),
    created_at: a.scheduledAt,
    task_definition_id: await taskDefinitionId(db, a.task),
    task_id: a.task.task_id,
    task_version: a.task.version,
    step_id: a.ctx.stepId,
    step_type: 'task',
    step_path: ltreeSafe(a.ctx.stepPath),
    status: end?.status ?? 'running',
    // jsonb columns get JSON text: a bare string input would otherwise be sent as invalid JSON.
    input: json(a.input),
    output: end?.output === undefined ? null : json(end.output),
    error: end?.error ? json(end.error) : null,
    attempt: a.attempt,
    started_at: a.startedAt,
    completed_at: end?.endedAt ?? null,
    duration_ms: end ? end.endedAt.getTime() - a.startedAt.getTime() : null,
    temporal_activity_id: a.activityId,
    mirror_seq: seq,
  };
}

/** One idempotent, seq-guarded upsert of an attempt's row (shared with the reconciler's history rebuild). */
export async function writeTaskAttempt(db: Knex, a: TaskAttempt, seq: number, end?: TaskAttemptEnd): Promise<boolean> {
  return upsertTaskAttempt(db, await attemptRow(db, a, seq, end));
}

/**
 * Writes one batch of the group commit: the newest write per row only (an older one in the same batch is
 * superseded, exactly as the seq guard would decide), in one statement, retried. When the database refuses
 * the batch for a reason a retry cannot fix, the rows are written one by one, so a bad row fails alone.
 */
async function flushRows(
  db: Knex,
  logger: Logger,
  rows: TaskAttemptRow[],
  backoff?: readonly number[],
): Promise<BatchOutcome<undefined>> {
  const newest = new Map<string, TaskAttemptRow>();
  for (const row of rows) {
    const key = taskAttemptKey(row);
    const seen = newest.get(key);
    if (!seen || seen.mirror_seq < row.mirror_seq) newest.set(key, row);
  }
  const unique = [...newest.values()];
  try {
    await withMirrorRetry(`task rows (${unique.length})`, logger, () => upsertTaskAttempts(db, unique), backoff);
    return rows.map(() => undefined);
  } catch (err) {
    if (!isPermanentDbError(err) || unique.length === 1) return rows.map(() => err as Error);
    const outcome = new Map<string, Error | undefined>();
    await Promise.all(
      unique.map(async (row) => {
        const key = taskAttemptKey(row);
        await withMirrorRetry('task row', logger, () => upsertTaskAttempt(db, row), backoff).then(
          () => outcome.set(key, undefined),
          (e: Error) => outcome.set(key, e),
        );
      }),
    );
    return rows.map((row) => outcome.get(taskAttemptKey(row)));
  }
}

/** Builds the mirror over a knex; pass `enabled: false` to skip every write (benchmarks, mirror off). */
export function createTaskMirror(db: Knex, logger: Logger, opts: TaskMirrorOptions = {}): TaskMirror {
  const delay = opts.runningWriteDelayMs ?? RUNNING_WRITE_DELAY_MS;
  const pendingRunning = new WeakMap<TaskAttempt, NodeJS.Timeout>();
  const rows = createGroupCommit<TaskAttemptRow>((batch) => flushRows(db, logger, batch, opts.backoff));
  const write = async (what: string, a: TaskAttempt, seq: number, end?: TaskAttemptEnd) => {
    if (opts.enabled === false) return;
    try {
      // Building the row may read the task definition's id (cached per worker): retried like the write.
      await rows.write(await withMirrorRetry(what, logger, () => attemptRow(db, a, seq, end), opts.backoff));
    } catch (err) {
      // The task itself succeeded or failed on its own terms; a mirror outage must not change that.
      const permanent = isPermanentDbError(err);
      // An outage, not a bad row: the reconciler rebuilds this run's rows from Temporal's history.
      if (!permanent) {
        const drops = opts.drops ?? droppedTaskWrites;
        drops.add({ instanceId: a.ctx.instanceId, workflowId: a.ctx.workflowId, runId: a.ctx.runId });
        // Recorded in dropped_task_writes once the database is back, for whichever worker reconciles next.
        drops.scheduleFlush(db, logger);
      }
      const log = logger.child({ workflowId: a.ctx.workflowId, stepId: a.ctx.stepId, attempt: a.attempt });
      log[permanent ? 'debug' : 'error'](
        { err },
        `${what}: task mirror write dropped (the reconciler rebuilds it from history)`,
      );
    }
  };
  const running = (a: TaskAttempt) => write('task started', a, a.attempt * 2);
  return {
    started(a) {
      if (opts.enabled === false) return;
      // Not awaited: a "running" write still in flight when the end is written loses on mirror_seq.
      if (delay <= 0) void running(a);
      else
        pendingRunning.set(
          a,
          setTimeout(() => void running(a), delay),
        );
    },
    finished(a, end) {
      clearTimeout(pendingRunning.get(a));
      pendingRunning.delete(a);
      return write(`task ${end.status}`, a, a.attempt * 2 + 1, end);
    },
  };
}
