/**
 * Validates task input and output against the task definition's JSON Schemas with the shared Ajv.
 * Compiled validators are cached by task_id@version (+ which side); the schema text is kept alongside so a
 * draft edited in place under the same version is recompiled rather than validated with a stale schema.
 */
import type { ValidateFunction } from 'ajv';
import { ajv, toFieldErrors } from '../../common/ajv';
import type { TaskDefinitionSnapshot } from '../../common/definitions/types';
import { FailureType } from '../../common/errors';
import { nonRetryable } from './failures';

type Side = 'input' | 'output';
const cache = new Map<string, { text: string; fn: ValidateFunction }>();

function validatorFor(task: TaskDefinitionSnapshot, side: Side, schema: Record<string, unknown>): ValidateFunction {
  const key = `${task.task_id}@${task.version}#${side}`;
  const text = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit && hit.text === text) return hit.fn;
  // `$id` is dropped: the shared Ajv refuses a second schema with the same id (two versions of one task).
  const { $id: _id, ...anonymous } = schema;
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(anonymous);
  } catch (err) {
    throw nonRetryable(FailureType.BadTaskConfig, `task ${task.task_id}@${task.version}: ${side}_schema is not a valid JSON Schema: ${(err as Error).message}`);
  }
  cache.set(key, { text, fn });
  return fn;
}

/** Throws a non-retryable SchemaViolation naming every offending field when `value` does not match. */
export function checkSchema(task: TaskDefinitionSnapshot, side: Side, value: unknown): void {
  const schema = side === 'input' ? task.input_schema : task.output_schema;
  if (!schema || typeof schema !== 'object') return;
  const fn = validatorFor(task, side, schema);
  if (fn(value)) return;
  const errors = toFieldErrors(fn.errors, `/${side}`);
  const list = errors.map((e) => `${e.pointer || `/${side}`} ${e.message}`).join('; ');
  throw nonRetryable(FailureType.SchemaViolation, `task ${task.task_id}@${task.version}: ${side} does not match its ${side}_schema: ${list}`, { errors });
}
