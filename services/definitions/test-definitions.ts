/** Test definitions: the rules beyond their JSON Schema (the rows are definition records, see records.ts). */
import type { FieldError } from '../../common/errors';
import type { Db } from '../../db/repositories/sql';
import { taskVersions } from './task-definitions';
import { workflowVersions } from './workflow-definitions';

/** The target reference must match target_type and exist (a clear 422 rather than a foreign-key 409). */
export async function testTargetErrors(body: Record<string, unknown>, db: Db): Promise<FieldError[]> {
  const [column, versions] =
    body.target_type === 'task'
      ? (['task_definition_id', taskVersions] as const)
      : (['workflow_definition_id', workflowVersions] as const);
  const ref = body[column];
  if (typeof ref !== 'string') {
    return [{ pointer: `/body/${column}`, message: `is required when target_type is ${String(body.target_type)}` }];
  }
  return (await versions.exists(db, ref)) ? [] : [{ pointer: `/body/${column}`, message: 'does not exist' }];
}
