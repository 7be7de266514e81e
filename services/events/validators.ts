/**
 * Payload validators of event definitions, compiled once and cached by (pattern, version). An entry is
 * trusted for `eventDefinitionCacheTtlMs`; after that one light query compares the definition's
 * updated_at and recompiles only when it changed (definitions edited through another process).
 */
import type { ValidateFunction } from 'ajv';
import type { Knex } from 'knex';
import { compileUserSchema } from '../../common/json-schema/user-schemas';
import { eventDefinitions, type EventDefinitionHead } from '../../db/repositories/event-definitions';

/** What ingest needs from a definition. */
export interface ResolvedEventDefinition extends EventDefinitionHead {
  validate: ValidateFunction | null;
}

interface Entry {
  def: ResolvedEventDefinition | undefined;
  checkedAt: number;
}

const byKey = new Map<string, Entry>();
const compiled = new Map<string, ValidateFunction | null>();
const MAX_ENTRIES = 10_000;

/**
 * Compiles a user-supplied payload schema (common/json-schema/user-schemas.ts: its own Ajv, so `$id`s of
 * different definitions never collide; pattern tests length-capped). Throws when the schema is invalid.
 */
export function compilePayloadSchema(schema: Record<string, unknown>): ValidateFunction {
  const { $schema, ...rest } = schema;
  // Older drafts' meta-schemas are not loaded; their documents are validated as 2020-12 (compatible for payloads).
  const doc = typeof $schema === 'string' && !$schema.includes('2020-12') ? rest : schema;
  return compileUserSchema(doc);
}

async function validatorFor(db: Knex, id: string, updatedAt: string): Promise<ValidateFunction | null> {
  const key = `${id}@${updatedAt}`;
  if (compiled.has(key)) return compiled.get(key)!;
  const schema = await eventDefinitions.getPayloadSchema(db, id);
  const fn = schema ? compilePayloadSchema(schema) : null;
  if (compiled.size >= MAX_ENTRIES) compiled.clear();
  compiled.set(key, fn);
  return fn;
}

/** The definition an event of `pattern` (at `version`, default latest active) is validated against. */
export async function resolveEventDefinition(
  db: Knex,
  pattern: string,
  version: string | undefined,
  ttlMs: number,
): Promise<ResolvedEventDefinition | undefined> {
  const key = `${pattern}@${version ?? '*'}`;
  const hit = byKey.get(key);
  if (hit && Date.now() - hit.checkedAt < ttlMs) return hit.def;
  const meta = await eventDefinitions.getForPattern(db, pattern, version);
  const def = meta && { ...meta, validate: await validatorFor(db, meta.id, meta.updatedAt) };
  if (byKey.size >= MAX_ENTRIES) byKey.clear();
  byKey.set(key, { def, checkedAt: Date.now() });
  return def;
}

/** Forgets cached lookups (this process changed a definition; others notice within the TTL). */
export function invalidateEventDefinitions(): void {
  byKey.clear();
}
