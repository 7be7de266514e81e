/**
 * Resolution: the exact snapshot a run starts with. Pinned version or the highest active version of the
 * workflow, plus every task it references (pinned `id@version`, else the highest active version).
 * Used by startRun and by the `resolveDefinition` activity (sub-workflows).
 */
import type { ResolvedDefinition } from '../../common/definitions/activity-types';
import type { TaskDefinitionSnapshot, WorkflowDefinition } from '../../common/definitions/types';
import { MANUAL_TASK_TYPE } from '../../common/definitions/kinds';
import { AppError } from '../../common/errors';
import type { Db } from '../../db/repositories/sql';
import { taskDefinitions, type TaskDefinitionRow } from '../../db/repositories/task-definitions';
import { workflowDefinitions, type WorkflowDefinitionRow } from '../../db/repositories/workflow-definitions';
import { highest } from './semver';
import { collectTaskRefs, type TaskRef } from './task-refs';
import { toTaskSnapshot } from './task-definitions';

// A pinned version may be deprecated (a run that asks for it exactly still gets it); drafts never run.
const RUNNABLE = ['active', 'deprecated'];

/** The version a start uses: pinned (active or deprecated) or the highest active one; 404 otherwise. */
export async function resolveWorkflowRow(db: Db, workflowId: string, version?: string): Promise<WorkflowDefinitionRow> {
  if (version) {
    const row = await workflowDefinitions.getVersion(db, workflowId, version);
    if (!row) throw AppError.notFound(`Workflow definition ${workflowId} version ${version} not found`);
    if (!RUNNABLE.includes(row.status))
      throw AppError.conflict(
        `Workflow definition ${workflowId}@${version} is a ${row.status}; activate it before starting runs`,
      );
    return row;
  }
  const row = highest((await workflowDefinitions.listVersions(db, workflowId)).filter((r) => r.status === 'active'));
  if (!row) throw AppError.notFound(`Workflow definition ${workflowId} has no active version`);
  return row;
}

async function resolveTask(db: Db, ref: TaskRef): Promise<TaskDefinitionRow | string> {
  const row = await findTask(db, ref);
  // The refs here are `task` steps' (collectTaskRefs): a task step runs an activity, and a manual task is a
  // person's. A human_task step's manual task must be resolved apart from these, not through this refusal.
  if (typeof row !== 'string' && row.type === MANUAL_TASK_TYPE)
    return `task ${row.task_id}@${row.version} is a manual task: only a human_task step can use it`;
  return row;
}

async function findTask(db: Db, ref: TaskRef): Promise<TaskDefinitionRow | string> {
  if (ref.version) {
    const row = await taskDefinitions.getVersion(db, ref.taskId, ref.version);
    if (!row) return `task ${ref.taskId} version ${ref.version} does not exist`;
    return RUNNABLE.includes(row.status) ? row : `task ${ref.taskId}@${ref.version} is a ${row.status}`;
  }
  const row = highest((await taskDefinitions.listVersions(db, ref.taskId)).filter((r) => r.status === 'active'));
  return row ?? `task ${ref.taskId} has no active version`;
}

/** Resolves every task reference; 422 naming each one that cannot be resolved. */
export async function resolveTasks(
  db: Db,
  definition: Pick<WorkflowDefinition, 'steps'>,
): Promise<Record<string, TaskDefinitionSnapshot>> {
  const refs = collectTaskRefs(definition.steps);
  const results = await Promise.all(refs.map((r) => resolveTask(db, r)));
  const problems = results.flatMap((r, i) =>
    typeof r === 'string' ? [{ pointer: `/tasks/${refs[i].ref}`, message: r }] : [],
  );
  if (problems.length > 0) throw AppError.unprocessable('The definition references tasks that cannot run', problems);
  return Object.fromEntries(results.map((r, i) => [refs[i].ref, toTaskSnapshot(r as TaskDefinitionRow)]));
}

/** The full snapshot of a workflow definition version. */
export async function resolveDefinition(
  db: Db,
  workflowId: string,
  version?: string,
): Promise<ResolvedDefinition & { row: WorkflowDefinitionRow }> {
  const row = await resolveWorkflowRow(db, workflowId, version);
  const definition = row.definition as unknown as WorkflowDefinition;
  return { definition, tasks: await resolveTasks(db, definition), definitionRowId: row.id, row };
}
