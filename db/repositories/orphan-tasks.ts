/**
 * task_instances rows still open under a closed run (a lost end write, a killed worker, a terminate): finding and
 * closing them. The reconciler's queries (services/mirror/reconcile).
 */
import type { Knex } from 'knex';

/** A Temporal run and its workflow_instances row. */
export interface RunRef {
  instanceId: string;
  workflowId: string;
  runId: string;
}

const OPEN_UNDER_CLOSED_RUN = `
       FROM workflow_orchestrator_service.workflow_instances w
      WHERE t.workflow_instance_id = w.id
        AND w.status IN ('completed', 'failed', 'cancelled', 'terminated', 'timed_out')
        AND t.status IN ('pending', 'scheduled', 'running', 'waiting')
        AND w.updated_at < ?`;

/** The Temporal runs those rows belong to (run id from the row's execution key `<runId>/<activityId>`). */
export async function listRunsWithOpenTasks(db: Knex, settleMs: number, limit: number): Promise<RunRef[]> {
  const { rows } = await db.raw(
    `SELECT DISTINCT t.workflow_instance_id AS "instanceId", w.temporal_workflow_id AS "workflowId",
            split_part(t.execution_key, '/', 1) AS "runId"
       FROM task_execution_service.task_instances t, workflow_orchestrator_service.workflow_instances w
      WHERE t.workflow_instance_id = w.id
        AND t.step_type = 'task' AND t.temporal_activity_id IS NOT NULL
        AND w.status IN ('completed', 'failed', 'cancelled', 'terminated', 'timed_out')
        AND t.status IN ('pending', 'scheduled', 'running', 'waiting')
        AND w.updated_at < ?
      LIMIT ?`,
    [new Date(Date.now() - settleMs), limit],
  );
  return rows as RunRef[];
}

/**
 * Closes what history could not: sets such rows to the run's fate (timed_out stays timed_out, everything
 * else becomes cancelled). Runs after the history rebuild, so it only sees activities Temporal never closed
 * (the run was terminated or timed out around them) or runs whose history is gone. Returns how many.
 */
export async function closeOrphanTasks(db: Knex, settleMs: number): Promise<number> {
  const { rowCount } = await db.raw(
    `UPDATE task_execution_service.task_instances t
        SET status = CASE WHEN w.status = 'timed_out' THEN 'timed_out' ELSE 'cancelled' END,
            error = jsonb_build_object('type', 'Reconciled', 'message', 'run ended (' || w.status || ') while this task was open'),
            completed_at = coalesce(w.completed_at, now()),
            mirror_seq = t.mirror_seq + 1
       ${OPEN_UNDER_CLOSED_RUN}`,
    [new Date(Date.now() - settleMs)],
  );
  return rowCount ?? 0;
}
