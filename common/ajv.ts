/** The platform's single Ajv instance (JSON Schema draft 2020-12 + formats); compile schemas once, by `$id`. */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from './errors';

export const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
addFormats(ajv);

/** Maps Ajv errors to field errors with JSON pointers under `prefix` (e.g. `/body`). */
export function toFieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    return { pointer: `${prefix}${e.instancePath}${missing}${extra}`, message: e.message ?? 'is invalid' };
  });
}
