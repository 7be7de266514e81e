/**
 * Validates task input and output against the task definition's JSON Schemas (user schemas: compiled by
 * common/json-schema/user-schemas.ts). Compiled validators are cached by task_id@version (+ which side); the
 * schema text is kept alongside so a draft edited in place under the same version is recompiled.
 */
import type { ValidateFunction } from 'ajv';
import { toFieldErrors } from '../../common/ajv';
import type { TaskDefinitionSnapshot } from '../../common/definitions/types';
import { FailureType } from '../../common/errors';
import { cachedUserSchema } from '../../common/json-schema/user-schemas';
import { nonRetryable } from './failures';

type Side = 'input' | 'output';

function validatorFor(task: TaskDefinitionSnapshot, side: Side, schema: Record<string, unknown>): ValidateFunction {
  // `$id` is dropped, as it always was: refs resolve against the schema itself, whatever id a version carries.
  const { $id: _id, ...anonymous } = schema;
  try {
    return cachedUserSchema(`task:${task.task_id}@${task.version}#${side}`, anonymous);
  } catch (err) {
    throw nonRetryable(
      FailureType.BadTaskConfig,
      `task ${task.task_id}@${task.version}: ${side}_schema is not a valid JSON Schema: ${(err as Error).message}`,
    );
  }
}

/** Throws a non-retryable SchemaViolation naming every offending field when `value` does not match. */
export function checkSchema(task: TaskDefinitionSnapshot, side: Side, value: unknown): void {
  const schema = side === 'input' ? task.input_schema : task.output_schema;
  if (!schema || typeof schema !== 'object') return;
  const fn = validatorFor(task, side, schema);
  if (fn(value)) return;
  const errors = toFieldErrors(fn.errors, `/${side}`);
  const list = errors.map((e) => `${e.pointer || `/${side}`} ${e.message}`).join('; ');
  throw nonRetryable(
    FailureType.SchemaViolation,
    `task ${task.task_id}@${task.version}: ${side} does not match its ${side}_schema: ${list}`,
    { errors },
  );
}
