/** Validates a run's input against its definition's input_schema (a user schema; compiled once per definition row). */
import type { ValidateFunction } from 'ajv';
import { toFieldErrors } from '../../common/ajv';
import { AppError } from '../../common/errors';
import { compileUserSchema } from '../../common/json-schema/user-schemas';

const cache = new Map<string, ValidateFunction>();

/** Throws 422 listing every violation (pointers under `prefix`) when `input` does not match. */
export function checkRunInput(definitionRowId: string, schema: unknown, input: unknown, prefix: string): void {
  if (!schema || typeof schema !== 'object') return;
  let fn = cache.get(definitionRowId);
  if (!fn) {
    // `$id` dropped: two versions of one definition may carry the same id, and the shared Ajv keeps ids unique.
    const { $id: _id, ...anonymous } = schema as Record<string, unknown>;
    fn = compileUserSchema(anonymous);
    if (cache.size > 5_000) cache.clear();
    cache.set(definitionRowId, fn);
  }
  if (fn(input)) return;
  throw AppError.unprocessable("Input does not match the definition's input_schema", toFieldErrors(fn.errors, prefix));
}
