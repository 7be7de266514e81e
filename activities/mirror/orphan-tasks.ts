/** Closes task_instances rows still open under a closed run (a lost end write, a killed worker, a terminate). */
import type { Knex } from 'knex';

/** Sets such rows to the run's fate (timed_out stays timed_out, everything else becomes cancelled). Returns how many. */
export async function closeOrphanTasks(db: Knex, settleMs: number): Promise<number> {
  const { rowCount } = await db.raw(
    `UPDATE task_execution_service.task_instances t
        SET status = CASE WHEN w.status = 'timed_out' THEN 'timed_out' ELSE 'cancelled' END,
            error = jsonb_build_object('type', 'Reconciled', 'message', 'run ended (' || w.status || ') while this task was open'),
            completed_at = coalesce(w.completed_at, now()),
            mirror_seq = t.mirror_seq + 1
       FROM workflow_orchestrator_service.workflow_instances w
      WHERE t.workflow_instance_id = w.id
        AND w.status IN ('completed', 'failed', 'cancelled', 'terminated', 'timed_out')
        AND t.status IN ('pending', 'scheduled', 'running', 'waiting')
        AND w.updated_at < ?`,
    [new Date(Date.now() - settleMs)],
  );
  return rowCount ?? 0;
}
