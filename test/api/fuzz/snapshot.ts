/** A checksum of every table of the eight service schemas: equal snapshots mean nothing was written. */
import type { Knex } from 'knex';
import { SCHEMAS } from '../../../db/migrations/helpers';

/**
 * Tables a refused request is meant to write: the shared failed-login counter counts refusals (a malformed login
 * is a failed attempt, so a fuzzer is throttled like any guesser).
 */
const COUNTS_REFUSALS = new Set(['auth_service.login_attempts']);

/** Row count and md5 of all rows, per table (partitions included, so inserts into them count twice: harmless). */
export async function snapshotTables(db: Knex): Promise<Record<string, string>> {
  const tables = (await db('information_schema.tables')
    .whereIn('table_schema', [...SCHEMAS])
    .where('table_type', 'BASE TABLE')
    .orderBy(['table_schema', 'table_name'])
    .select('table_schema', 'table_name')) as Array<{ table_schema: string; table_name: string }>;
  const out: Record<string, string> = {};
  for (const t of tables) {
    const name = `${t.table_schema}.${t.table_name}`;
    if (COUNTS_REFUSALS.has(name)) continue;
    const { rows } = await db.raw(
      `SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS s FROM ${db.raw('??', [name]).toQuery()} x`,
    );
    out[name] = rows[0].s as string;
  }
  return out;
}
