/** Maps definition validation results onto the API's error vocabulary. */
import type { ValidationError } from '../../common/definitions/validate';
import { AppError } from '../../common/errors';

/** 422 carrying every validation error, pointers rebased under `prefix` (e.g. `/body`). */
export function invalidDefinition(what: string, errors: ValidationError[], prefix = '/body'): AppError {
  const fields = errors.map((e) => ({ pointer: `${prefix}${e.pointer}`, message: e.message, code: e.code }));
  return AppError.unprocessable(`${what} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'})`, fields);
}
