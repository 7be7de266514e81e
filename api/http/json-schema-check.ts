/**
 * Checks that user-supplied JSON Schemas (UI component forms, integration config schemas) are usable:
 * valid against the draft 2020-12 meta-schema and compilable. Each check compiles in a throwaway Ajv so
 * user `$id`s never collide with (or shadow) the platform's schemas in the shared instance.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { metaSchemaError, toFieldErrors } from '../../common/ajv';
import type { FieldError } from '../../common/errors';
import { schemaSizeProblem } from '../../common/json-schema-limits';

function freshAjv(): Ajv2020 {
  // validateSchema off: schemaErrors has checked the schema against the meta-schema already.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  return ajv;
}

/** Field errors (under `pointer`) when `schema` is not a usable JSON Schema; empty when it is. */
export function schemaErrors(schema: unknown, pointer: string): FieldError[] {
  if (schema === null || (typeof schema !== 'object' && typeof schema !== 'boolean')) return [{ pointer, message: 'must be object,boolean' }];
  const tooLarge = schemaSizeProblem(schema);
  if (tooLarge !== undefined) return [{ pointer, message: tooLarge }];
  // The first error only: listing all of them costs quadratic time in the schema's size (common/ajv.ts).
  const invalid = metaSchemaError(schema, pointer);
  if (invalid !== undefined) return [invalid];
  const ajv = freshAjv();
  try {
    ajv.compile(schema as object);
    return [];
  } catch (err) {
    return [{ pointer, message: `is not a usable JSON Schema: ${(err as Error).message}` }];
  }
}

/** Field errors (under `pointer`) of `value` against `schema` (a schema already checked by {@link schemaErrors}). */
export function valueErrors(schema: object, value: unknown, pointer: string): FieldError[] {
  const validate = freshAjv().compile(schema);
  return validate(value) ? [] : toFieldErrors(validate.errors, pointer);
}
