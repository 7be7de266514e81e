/**
 * TypeBox helpers for the API's request schemas: each emits exactly the JSON Schema the routes always used
 * (`{ enum }` without a `type`, `{ type: ['string', 'null'] }` rather than an `anyOf`, a bare `{ type: 'object' }`)
 * while carrying the static type the handler sees.
 */
import { Kind, Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** `{ enum: values }` (plus `options`, e.g. `{ type: 'string' }`): one of the listed strings. */
export function Enum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, enum: [...values] });
}

/** `schema` that also accepts null, as `{ type: [type, 'null'], ...rest }` (for schemas with a single `type`). */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const { [Kind]: _kind, type, ...rest } = schema;
  return Type.Unsafe<Static<T> | null>({ type: [type, 'null'], ...rest });
}

/** `{ type: 'object' }`: any JSON object. */
export function AnyObject(options: SchemaOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', ...options });
}

/** A JSON Schema declared elsewhere (e.g. common/events/schema.ts), validated as it is and typed as `T`. */
export function Typed<T>(schema: object): TUnsafe<T> {
  return Type.Unsafe<T>(schema);
}

/** A uuid string. */
export const Uuid = (options: SchemaOptions = {}) => Type.String({ format: 'uuid', ...options });
