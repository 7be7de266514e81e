/**
 * Checks that the JSON Schemas embedded in definitions (input/output schemas) are themselves valid, with the
 * write-time rules every user schema gets (size bound, first meta-schema error; common/json-schema/user-schemas.ts),
 * reported with the definition validator's codes.
 */
import { metaSchemaError } from '../ajv';
import { schemaSizeProblem } from '../json-schema-limits';
import type { ValidationError } from './validation-error';

/** Errors when `schema` (if present) is not a valid draft 2020-12 JSON Schema. */
export function jsonSchemaErrors(schema: unknown, pointer: string): ValidationError[] {
  if (schema === undefined || typeof schema === 'boolean') return [];
  if (schema === null || typeof schema !== 'object') return []; // the document schema already reports the type
  const tooLarge = schemaSizeProblem(schema);
  if (tooLarge !== undefined) return [{ pointer, code: 'json_schema_too_large', message: tooLarge }];
  try {
    const error = metaSchemaError(schema);
    if (error !== undefined)
      return [
        {
          pointer,
          code: 'invalid_json_schema',
          message: `not a valid JSON Schema: ${error.pointer || '/'} ${error.message}`,
        },
      ];
  } catch (err) {
    return [{ pointer, code: 'invalid_json_schema', message: `not a valid JSON Schema: ${(err as Error).message}` }];
  }
  return [];
}
