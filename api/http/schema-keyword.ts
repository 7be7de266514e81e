/**
 * Definition files written for editors name their JSON Schema in a top-level `$schema` (docs/testing.md, "JSON
 * Schemas for editors"), so `aos apply` can send them unchanged: every definition kind's write routes accept that
 * string and drop it before the service sees the body (it is never stored).
 */

/** The `$schema` property a body may carry. */
export const SCHEMA_KEYWORD_PROPERTY = {
  type: 'string',
  maxLength: 2000,
  description: 'The JSON Schema an editor validates the document with; ignored, not stored',
} as const;

/** A copy of an object schema that also allows a top-level `$schema` string (its `$id` dropped: a new schema). */
export function acceptSchemaKeyword<S extends object>(schema: S): S {
  const { $id: _id, properties, ...rest } = schema as { $id?: string; properties?: Record<string, unknown> };
  return { ...rest, properties: { $schema: SCHEMA_KEYWORD_PROPERTY, ...properties } } as unknown as S;
}

/** `body` without its `$schema` keyword. */
export function withoutSchemaKeyword<T>(body: T): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('$schema' in body)) return body;
  const { $schema: _ignored, ...rest } = body as Record<string, unknown>;
  return rest as T;
}
