/**
 * The platform's Ajv instance (JSON Schema draft 2020-12 + formats) for its own, trusted schemas (the definition
 * document schema); compile schemas once, by `$id`. User-supplied schemas never compile here: they go through
 * common/json-schema/user-schemas.ts, which applies the platform's safety rules to all of them.
 */
import Ajv2020, { type ErrorObject, type FormatDefinition } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from './errors';
import { isStorableTimestamp } from './timestamps';

/**
 * Adds ajv-formats to a platform instance, with `date-time` narrowed to the instants PostgreSQL can store:
 * RFC 3339 allows year 0000 and offsets up to 23:59, which `timestamptz` refuses (a 500 instead of a 4xx).
 */
export function addPlatformFormats(instance: Ajv2020): Ajv2020 {
  addFormats(instance);
  const rfc3339 = instance.formats['date-time'] as FormatDefinition<string>;
  const validate = rfc3339.validate as (s: string) => boolean;
  instance.addFormat('date-time', { ...rfc3339, validate: (s: string) => validate(s) && isStorableTimestamp(s) });
  return instance;
}

export const ajv = addPlatformFormats(
  new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false }),
);

// Stops at the first error: with `allErrors`, the meta-schema's recursive references make checking a user schema
// quadratic in its bad subschemas (4,000 of them, 30 KB, took 4 s and answered megabytes of errors).
const metaChecker = addPlatformFormats(new Ajv2020({ allErrors: false, strict: false }));

/** The first reason `schema` (user-supplied) is not a draft 2020-12 JSON Schema (pointer under `prefix`), or `undefined`. */
export function metaSchemaError(schema: object | boolean, prefix = ''): FieldError | undefined {
  if (metaChecker.validateSchema(schema)) return undefined;
  const [first] = toFieldErrors(metaChecker.errors?.slice(0, 1), prefix);
  return first ?? { pointer: prefix, message: 'is not a valid JSON Schema' };
}

/** Maps Ajv errors to field errors with JSON pointers under `prefix` (e.g. `/body`). */
export function toFieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const extra =
      e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    return { pointer: `${prefix}${e.instancePath}${missing}${extra}`, message: e.message ?? 'is invalid' };
  });
}
