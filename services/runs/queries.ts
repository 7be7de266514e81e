/** Read side of runs for the API: the run list and a run's step executions, both from the lifecycle mirror. */
import type { Knex } from 'knex';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import { listTaskInstancesOfWorkflow, type TaskInstanceRow } from '../../db/repositories/task-instances';
import {
  listWorkflowInstances,
  type WorkflowInstanceFilter,
  type WorkflowInstanceRow,
} from '../../db/repositories/workflow-instances';

export type { TaskInstanceRow } from '../../db/repositories/task-instances';
export { WORKFLOW_INSTANCE_STATUSES } from '../../db/repositories/workflow-instances';
export type {
  WorkflowInstanceFilter,
  WorkflowInstanceRow,
  WorkflowInstanceStatus,
} from '../../db/repositories/workflow-instances';

/** Runs, newest first, filtered, one keyset page. */
export function listRuns(
  db: Knex,
  filter: WorkflowInstanceFilter,
  page: PageRequest,
): Promise<Page<WorkflowInstanceRow>> {
  return listWorkflowInstances(db, filter, page);
}

/** Every step execution of a run, in the order they were scheduled. */
export function listRunTasks(db: Knex, instanceId: string): Promise<TaskInstanceRow[]> {
  return listTaskInstancesOfWorkflow(db, instanceId);
}
