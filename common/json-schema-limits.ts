/**
 * Size bound of the JSON Schemas users embed (definition input/output schemas, event payload schemas, UI
 * component forms, integration config and credentials schemas). Ajv compiles a schema at 20-40 ms per KB, and
 * some are compiled where a stall hurts: an event's payload schema on the API's ingest path, a task's
 * input/output schemas on the worker's main thread. Bounding them at write keeps each such compile short.
 */

/** Most characters of JSON (as `JSON.stringify` writes it) one embedded JSON Schema may have. */
export const MAX_JSON_SCHEMA_CHARS = 65_536;

/** Why `schema` is too large to accept, or `undefined`. */
export function schemaSizeProblem(schema: unknown): string | undefined {
  const size = JSON.stringify(schema)?.length ?? 0;
  return size > MAX_JSON_SCHEMA_CHARS
    ? `a JSON Schema here holds at most ${MAX_JSON_SCHEMA_CHARS} characters of JSON (this one: ${size})`
    : undefined;
}
