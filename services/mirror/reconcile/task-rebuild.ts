/**
 * Rebuilds task_instances rows from Temporal's history, for runs whose task mirror writes were lost: rows
 * left open under a closed run, and runs some worker dropped writes for (which may have no row at all): those
 * recorded in dropped_task_writes by any worker, and this process's buffer of drops not recorded yet.
 *
 * Same row, same key: the history's ActivityTaskScheduled event time is the `scheduledTimestampMs` runTask
 * uses for created_at, and the execution key is `<runId>/<activityId>` on both sides. Where a row exists
 * its own created_at is reused anyway, so a clock rounding difference can never create a second row.
 * Ordering: a closed activity's row is written with mirror_seq = attempt * 2 + 2, above any write of that
 * attempt (the activity is closed, so no later attempt can come): Temporal's ending wins over a
 * "running" row or an earlier "Reconciled" guess, and a second pass is a no-op.
 */
import { isGrpcServiceError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Logger } from '../../../common/logger';
import { listTaskInstancesOfWorkflow } from '../../../db/repositories/task-instances';
import { droppedTaskWrites, type DroppedRun, type DroppedTaskWrites } from '../dropped-writes';
import { listRunsWithOpenTasks } from '../../../db/repositories/orphan-tasks';
import { deleteDroppedTaskWrite, listDroppedTaskWrites } from '../../../db/repositories/dropped-task-writes';
import { readRunTaskHistory } from './task-history';
import { taskExecutionKey, writeTaskAttempt } from '../task-mirror';

/** What the rebuild needs. */
export interface TaskRebuildDeps {
  db: Knex;
  temporal: Client;
  logger: Logger;
  /** This process's buffer of runs with dropped task writes [the process-wide droppedTaskWrites]. */
  drops?: DroppedTaskWrites;
}

const GRPC_NOT_FOUND = 5;

/** Rewrites the rows of one run's closed runTask activities that disagree with history; returns how many (would) change. */
export async function rebuildRunTasks(
  deps: TaskRebuildDeps,
  run: DroppedRun,
  dryRun = false,
): Promise<{ closed: boolean; rebuilt: number }> {
  const history = await readRunTaskHistory(deps.temporal, run.workflowId, run.runId);
  const rows = new Map((await listTaskInstancesOfWorkflow(deps.db, run.instanceId)).map((r) => [r.execution_key, r]));
  let rebuilt = 0;
  for (const { attempt, end } of history.tasks) {
    if (!end || attempt.ctx?.mirror === false) continue;
    const row = rows.get(taskExecutionKey(attempt.ctx.runId, attempt.activityId));
    if (row && row.status === end.status && row.attempt === attempt.attempt) continue;
    const a = row ? { ...attempt, scheduledAt: row.created_at } : attempt;
    if (dryRun || (await writeTaskAttempt(deps.db, a, attempt.attempt * 2 + 2, end))) rebuilt++;
  }
  return { closed: history.closed, rebuilt };
}

/** Rebuilds the runs with open task rows under a closed run and the runs with dropped writes; returns rows changed. */
export async function rebuildTasksFromHistory(
  deps: TaskRebuildDeps,
  opts: { dryRun?: boolean; settleMs: number; limit: number },
): Promise<number> {
  const drops = deps.drops ?? droppedTaskWrites;
  // Record the buffer first: if this pass dies half way, the table still names every run to repair.
  if (!opts.dryRun)
    await drops
      .flush(deps.db)
      .catch((err: unknown) => deps.logger.warn({ err }, 'reconcile: dropped task writes not recorded yet'));
  const runs = new Map<string, DroppedRun>();
  for (const r of await listRunsWithOpenTasks(deps.db, opts.settleMs, opts.limit)) runs.set(r.runId, r);
  for (const r of await listDroppedTaskWrites(deps.db, opts.limit)) runs.set(r.runId, r);
  for (const r of drops.list(opts.limit)) runs.set(r.runId, r);
  const forget = async (runId: string) => {
    drops.delete(runId);
    await deleteDroppedTaskWrite(deps.db, runId);
  };
  let rebuilt = 0;
  const list = [...runs.values()];
  // A few histories at a time, like the describes: bounded load on the frontend.
  for (let i = 0; i < list.length; i += 4) {
    await Promise.all(
      list.slice(i, i + 4).map(async (run) => {
        try {
          const res = await rebuildRunTasks(deps, run, opts.dryRun);
          rebuilt += res.rebuilt;
          // An open run keeps its entry: activities still running may close with their writes dropped too.
          if (res.closed && !opts.dryRun) await forget(run.runId);
        } catch (err) {
          if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) {
            if (!opts.dryRun) await forget(run.runId); // history gone (retention)
          } else
            deps.logger.warn(
              { err, workflowId: run.workflowId, runId: run.runId },
              'reconcile: task history rebuild failed',
            );
        }
      }),
    );
  }
  return rebuilt;
}
