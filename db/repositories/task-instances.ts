/**
 * task_execution_service.task_instances (partitioned by month on created_at): one row per step
 * execution. Idempotency key: (workflow_instance_id, execution_key, created_at). Because the partition
 * column is part of every unique key, the writer must send the same created_at with every write of one
 * execution: use the time the workflow scheduled the step (deterministic workflow time), not now().
 */
import type { Db } from './sql';
import { toDb } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';

/** Lifecycle of one step execution. */
export type TaskInstanceStatus =
  'pending' | 'scheduled' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled' | 'timed_out' | 'skipped';

/** A row of task_instances. */
export interface TaskInstanceRow {
  id: string;
  workflow_instance_id: string;
  task_definition_id: string | null;
  task_id: string | null;
  task_version: string | null;
  step_id: string;
  step_type: string;
  /** ltree text, e.g. `fanout.b1.call` (labels `[A-Za-z0-9_]`). */
  step_path: string | null;
  execution_key: string;
  status: TaskInstanceStatus;
  input: unknown;
  output: unknown;
  error: unknown;
  attempt: number;
  started_at: Date | null;
  completed_at: Date | null;
  duration_ms: number | null;
  temporal_activity_id: string | null;
  mirror_seq: number;
  created_at: Date;
  updated_at: Date;
}

/** A mirror write: the identity of the execution plus the fields to set. */
export type TaskInstanceWrite = Pick<
  TaskInstanceRow,
  'workflow_instance_id' | 'step_id' | 'execution_key' | 'mirror_seq'
> & {
  /** Deterministic: the same value on every write of this execution (it is part of the unique key). */
  created_at: Date;
} & Partial<
    Omit<
      TaskInstanceRow,
      'id' | 'updated_at' | 'workflow_instance_id' | 'step_id' | 'execution_key' | 'mirror_seq' | 'created_at'
    >
  >;

export const TASK_INSTANCES = 'task_execution_service.task_instances';

const KEY = ['workflow_instance_id', 'execution_key', 'created_at'];

/** Idempotent, ordered upsert of one step execution; true when it took effect (false = stale or duplicate). */
export async function mirrorTaskInstance(db: Db, write: TaskInstanceWrite): Promise<boolean> {
  const data = toDb(write);
  const updatable = Object.keys(data).filter((k) => !KEY.includes(k));
  const rows = await db(TASK_INSTANCES)
    .insert(data)
    .onConflict(KEY)
    .merge(updatable)
    .whereRaw('task_instances.mirror_seq < excluded.mirror_seq')
    .returning('id');
  return rows.length > 0;
}

/** One execution by row id (scans all partitions; pass createdAt to prune to one). */
export async function getTaskInstance(db: Db, id: string, createdAt?: Date): Promise<TaskInstanceRow | undefined> {
  const q = db(TASK_INSTANCES).where({ id });
  if (createdAt) q.where({ created_at: createdAt });
  return (await q.first()) as TaskInstanceRow | undefined;
}

/** Every step execution of a run, in the order they were scheduled. */
export async function listTaskInstancesOfWorkflow(db: Db, workflowInstanceId: string): Promise<TaskInstanceRow[]> {
  return (await db(TASK_INSTANCES)
    .where({ workflow_instance_id: workflowInstanceId })
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'execution_key', order: 'asc' },
    ])) as TaskInstanceRow[];
}

/** Filters of the task instance list. */
export interface TaskInstanceFilter {
  workflowInstanceId?: string;
  status?: TaskInstanceStatus | TaskInstanceStatus[];
  taskId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

/** Lists step executions newest first with keyset pagination (time filters prune partitions). */
export async function listTaskInstances(
  db: Db,
  f: TaskInstanceFilter = {},
  page: PageRequest = {},
): Promise<Page<TaskInstanceRow>> {
  const q = db(`${TASK_INSTANCES} as ti`);
  if (f.workflowInstanceId) q.where('ti.workflow_instance_id', f.workflowInstanceId);
  if (f.status) q.whereIn('ti.status', Array.isArray(f.status) ? f.status : [f.status]);
  if (f.taskId) q.where('ti.task_id', f.taskId);
  if (f.createdAfter) q.where('ti.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('ti.created_at', '<', f.createdBefore);
  return paginate<TaskInstanceRow>(q, 'ti', page);
}
