/**
 * The one place user-supplied JSON Schemas are checked and compiled: task input/output schemas, workflow and
 * trigger input schemas, event payload schemas, UI component forms, integration config and credentials schemas.
 * The same rules apply to all of them:
 * - at write, a size bound (common/json-schema-limits.ts) and the first meta-schema error only (listing them all
 *   costs quadratic time, common/ajv.ts);
 * - each schema compiles in its own Ajv, so user `$id`s never collide with each other or shadow the platform's;
 * - every `pattern` / `patternProperties` test is length-capped (common/events/regex-safety.ts), so a
 *   backtracking regex cannot pin a thread on a long string;
 * - compiled validators are cached by key and schema text ({@link cachedUserSchema}).
 * The platform's own schemas (the definition document schema, the API's route schemas) are trusted and use the
 * shared instance of common/ajv.ts (api/http/validate.ts has the route validators' coercing one).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { addPlatformFormats, metaSchemaError, toFieldErrors } from '../ajv';
import type { FieldError } from '../errors';
import { cappedRegExp } from '../events/regex-safety';
import { schemaSizeProblem } from '../json-schema-limits';

/** A fresh Ajv for one user schema (validateSchema off: {@link compileUserSchema} checks the meta-schema first). */
function userAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false, code: { regExp: cappedRegExp } });
  return addPlatformFormats(ajv);
}

/** The first reason `schema` is refused at write (too large, or not a draft 2020-12 JSON Schema), under `pointer`. */
export function userSchemaProblem(schema: object | boolean, pointer: string): FieldError | undefined {
  const tooLarge = schemaSizeProblem(schema);
  if (tooLarge !== undefined) return { pointer, message: tooLarge };
  return metaSchemaError(schema, pointer);
}

/** Compiles a user schema; throws an Error naming the first problem when it is not a usable JSON Schema. */
export function compileUserSchema(schema: object | boolean): ValidateFunction {
  const invalid = metaSchemaError(schema);
  if (invalid !== undefined) throw new Error(`schema is invalid: ${invalid.pointer || '/'} ${invalid.message}`);
  return userAjv().compile(schema);
}

const cache = new Map<string, { text: string; fn: ValidateFunction }>();
const MAX_CACHED = 5_000;

/**
 * {@link compileUserSchema} once per `key` (e.g. a task's id@version and side): the schema text is kept alongside,
 * so a draft edited in place under the same key is recompiled rather than validated with a stale schema.
 */
export function cachedUserSchema(key: string, schema: object | boolean): ValidateFunction {
  const text = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit && hit.text === text) return hit.fn;
  const fn = compileUserSchema(schema);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, { text, fn });
  return fn;
}

/** Field errors (under `pointer`) when `schema` is not a usable JSON Schema; empty when it is. */
export function schemaErrors(schema: unknown, pointer: string): FieldError[] {
  if (schema === null || (typeof schema !== 'object' && typeof schema !== 'boolean')) {
    return [{ pointer, message: 'must be object,boolean' }];
  }
  const problem = userSchemaProblem(schema, pointer);
  if (problem !== undefined) return [problem];
  try {
    userAjv().compile(schema);
    return [];
  } catch (err) {
    return [{ pointer, message: `is not a usable JSON Schema: ${(err as Error).message}` }];
  }
}

/** Field errors (under `pointer`) of `value` against `schema` (a schema already checked by {@link schemaErrors}). */
export function valueErrors(schema: object, value: unknown, pointer: string): FieldError[] {
  const validate = userAjv().compile(schema);
  return validate(value) ? [] : toFieldErrors(validate.errors, pointer);
}
