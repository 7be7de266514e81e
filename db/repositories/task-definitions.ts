/** task_execution_service.task_definitions: what a task step runs and with which options. */
import type { TaskType } from '../../common/definitions/kinds';
import { definitionRepository, type DefinitionRowBase, type DefinitionStatus } from './definitions';

/** Task types of the schema's CHECK constraint: the language's, and `manual` (reserved for human tasks). */
export type TaskDefinitionType = TaskType | 'manual';

/** A row of task_definitions. */
export interface TaskDefinitionRow extends DefinitionRowBase {
  task_id: string;
  type: TaskDefinitionType;
  config: Record<string, unknown>;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
  retry_policy: Record<string, unknown> | null;
  timeouts: Record<string, unknown> | null;
  ui_component_id: string | null;
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
  ui_component_id?: string | null;
  checksum?: string | null;
  created_by?: string | null;
  updated_by?: string | null;
}

export const TASK_DEFINITIONS = 'task_execution_service.task_definitions';

/** Repository of task definitions (business key: task_id + version). */
export const taskDefinitions = definitionRepository<TaskDefinitionRow, TaskDefinitionInsert>(
  TASK_DEFINITIONS,
  'task_id',
);
