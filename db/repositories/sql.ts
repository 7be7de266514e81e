/** Small helpers shared by the repositories. */
import type { Knex } from 'knex';

/**
 * Prepares values for knex/pg: objects and arrays become JSON text, because node-postgres would send a JS
 * array as a PostgreSQL array (wrong for jsonb). Undefined keys are dropped so column defaults apply.
 */
export function toDb(values: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    // knex.raw(...) fragments (e.g. `attempts + 1`) pass through untouched.
    const isRaw = typeof (value as { toSQL?: unknown } | null)?.toSQL === 'function';
    const isJson =
      value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value) && !isRaw;
    out[key] = isJson ? JSON.stringify(value) : value;
  }
  return out;
}

/** Knex or a transaction: every repository function accepts either. */
export type Db = Knex | Knex.Transaction;

/**
 * Moves a row from one of `from` to `to` in a single UPDATE guarded by the current status, so two
 * concurrent transitions cannot both win. Returns the updated row, or undefined when the row does not
 * exist or is not in an allowed state (the caller decides between 404 and 409).
 */
export async function transition<T>(
  db: Db,
  table: string,
  id: string,
  to: string,
  from: readonly string[],
  extra: object = {},
): Promise<T | undefined> {
  const [row] = await db(table)
    .where({ id })
    .whereIn('status', from as string[])
    .update({ ...toDb(extra), status: to })
    .returning('*');
  return row as T | undefined;
}

/** True for a PostgreSQL unique violation (SQLSTATE 23505), e.g. a duplicate business id or version. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}
