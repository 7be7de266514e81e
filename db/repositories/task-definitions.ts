/** task_execution_service.task_definitions: what a task step runs and with which options. */
import type { TaskDefinitionType } from '../../common/definitions/kinds';
import { definitionRepository, type DefinitionRowBase, type DefinitionStatus } from './definitions';
import type { Db } from './sql';

/** Task types of the schema's CHECK constraint: the worker's, and `manual` (a person's task, #12). */
export type { TaskDefinitionType };

/** The form of a manual task as resolved on save: the UI component version ui_component_id points at. */
export interface TaskFormRef {
  component_id: string;
  version: string;
}

/** A row of task_definitions. */
export interface TaskDefinitionRow extends DefinitionRowBase {
  task_id: string;
  type: TaskDefinitionType;
  config: Record<string, unknown>;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
  retry_policy: Record<string, unknown> | null;
  timeouts: Record<string, unknown> | null;
  /** Rate and concurrency limits across workers (migration 023). */
  limits: Record<string, unknown> | null;
  /** Temporal priority key of the task's activities, 1..5 (migration 023). */
  priority: number | null;
  ui_component_id: string | null;
  /** The component_id and version of ui_component_id (migration 014). */
  ui_component: TaskFormRef | null;
  checksum: string | null;
}

/** Values to insert a task definition version. */
export interface TaskDefinitionInsert {
  task_id: string;
  version: string;
  name: string;
  description?: string | null;
  status?: DefinitionStatus;
  type: TaskDefinitionType;
  config?: object;
  input_schema?: object | null;
  output_schema?: object | null;
  retry_policy?: object | null;
  timeouts?: object | null;
  limits?: object | null;
  priority?: number | null;
  ui_component_id?: string | null;
  ui_component?: TaskFormRef | null;
  checksum?: string | null;
  created_by?: string | null;
  updated_by?: string | null;
}

export const TASK_DEFINITIONS = 'task_execution_service.task_definitions';

const base = definitionRepository<TaskDefinitionRow, TaskDefinitionInsert>(TASK_DEFINITIONS, 'task_id');

/** Repository of task definitions (business key: task_id + version). */
export const taskDefinitions = {
  ...base,
  /** `task_id` and `task_id@version` of the manual versions among `taskIds` (`task_id` when every version is). */
  async manualRefs(db: Db, taskIds: string[]): Promise<string[]> {
    if (taskIds.length === 0) return [];
    const rows = (await db(TASK_DEFINITIONS)
      .whereIn('task_id', taskIds)
      .select('task_id', 'version', 'type')) as Array<{
      task_id: string;
      version: string;
      type: string;
    }>;
    const refs = rows.filter((r) => r.type === 'manual').map((r) => `${r.task_id}@${r.version}`);
    for (const id of new Set(rows.map((r) => r.task_id))) {
      if (rows.every((r) => r.task_id !== id || r.type === 'manual')) refs.push(id);
    }
    return refs;
  },
};
