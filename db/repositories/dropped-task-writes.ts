/**
 * task_execution_service.dropped_task_writes (migration 024): runs whose task mirror writes a worker dropped,
 * kept until some worker's reconciler has rebuilt their task rows from Temporal's history.
 */
import type { Db } from './sql';

export const DROPPED_TASK_WRITES = 'task_execution_service.dropped_task_writes';

/** A run with dropped task writes (Temporal's ids and the mirror's row id). */
export interface DroppedRunRecord {
  instanceId: string;
  workflowId: string;
  runId: string;
}

/** Records runs; a run already recorded stays as it is (one row per run id). */
export async function recordDroppedTaskWrites(db: Db, runs: readonly DroppedRunRecord[]): Promise<void> {
  if (runs.length === 0) return;
  await db(DROPPED_TASK_WRITES)
    .insert(runs.map((r) => ({ run_id: r.runId, workflow_id: r.workflowId, workflow_instance_id: r.instanceId })))
    .onConflict('run_id')
    .ignore();
}

/** The recorded runs, oldest first (at most `limit`). */
export async function listDroppedTaskWrites(db: Db, limit: number): Promise<DroppedRunRecord[]> {
  const rows = await db(DROPPED_TASK_WRITES)
    .select('run_id', 'workflow_id', 'workflow_instance_id')
    .orderBy('created_at')
    .limit(limit);
  return rows.map((r: { run_id: string; workflow_id: string; workflow_instance_id: string }) => ({
    runId: r.run_id,
    workflowId: r.workflow_id,
    instanceId: r.workflow_instance_id,
  }));
}

/** Forgets a run once its rows are rebuilt (or its history is gone). */
export async function deleteDroppedTaskWrite(db: Db, runId: string): Promise<void> {
  await db(DROPPED_TASK_WRITES).where({ run_id: runId }).delete();
}
