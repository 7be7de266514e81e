/** Catalog queries for the schema tests (information_schema / pg_catalog), shared by PostgreSQL and PGlite runs. */
import type { Knex } from 'knex';
import { SCHEMAS } from './schema-expectations';

const IN_SCHEMAS = `n.nspname IN (${SCHEMAS.map((s) => `'${s}'`).join(', ')})`;

/** Base tables of the eight schemas (`schema.table`), partitions excluded. */
export async function listTables(db: Knex): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { t: string }[] }>(`
    SELECT t.table_schema || '.' || t.table_name AS t FROM information_schema.tables t
      JOIN pg_namespace n ON n.nspname = t.table_schema
      JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
     WHERE t.table_type = 'BASE TABLE' AND NOT c.relispartition AND ${IN_SCHEMAS} ORDER BY 1`);
  return rows.map((r) => r.t);
}

/** Primary key columns per table. */
export async function primaryKeys(db: Knex): Promise<Map<string, string[]>> {
  const { rows } = await db.raw<{ rows: { t: string; cols: string[] }[] }>(`
    SELECT n.nspname || '.' || c.relname AS t, array_agg(a.attname::text ORDER BY a.attnum) AS cols
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (k.conkey)
     WHERE k.contype = 'p' AND NOT c.relispartition AND ${IN_SCHEMAS} GROUP BY 1`);
  return new Map(rows.map((r) => [r.t, r.cols]));
}

/** Column name -> data type per table. */
export async function columnTypes(db: Knex): Promise<Map<string, Map<string, string>>> {
  const { rows } = await db.raw<{ rows: { t: string; col: string; type: string }[] }>(`
    SELECT table_schema || '.' || table_name AS t, column_name AS col, data_type AS type
      FROM information_schema.columns WHERE table_schema IN (${SCHEMAS.map((s) => `'${s}'`).join(', ')})`);
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) out.set(r.t, (out.get(r.t) ?? new Map()).set(r.col, r.type));
  return out;
}

/** Column lists of every unique index (including partial ones) and of every index, per table. */
export async function indexes(db: Knex): Promise<{ t: string; cols: string[]; unique: boolean; partial: boolean }[]> {
  const { rows } = await db.raw<{ rows: { t: string; cols: (string | null)[]; unique: boolean; partial: boolean }[] }>(`
    SELECT n.nspname || '.' || c.relname AS t, i.indisunique AS unique, i.indpred IS NOT NULL AS partial,
           array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord) AS cols
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT c.relispartition AND ${IN_SCHEMAS}`);
  return rows.map((r) => ({ ...r, cols: r.cols.map((c) => c ?? '<expr>') }));
}

/** Foreign keys as (table, first column). */
export async function foreignKeys(db: Knex): Promise<{ t: string; col: string }[]> {
  const { rows } = await db.raw<{ rows: { t: string; col: string }[] }>(`
    SELECT n.nspname || '.' || c.relname AS t, a.attname AS col
      FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.conkey[1]
     WHERE k.contype = 'f' AND NOT c.relispartition AND ${IN_SCHEMAS}`);
  return rows;
}

/** Tables that are range-partitioned. */
export async function partitionedTables(db: Knex): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { t: string }[] }>(`
    SELECT n.nspname || '.' || c.relname AS t FROM pg_partitioned_table p
      JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE p.partstrat = 'r' AND ${IN_SCHEMAS} ORDER BY 1`);
  return rows.map((r) => r.t);
}

/** Tables carrying the shared set_updated_at trigger. */
export async function tablesWithUpdatedAtTrigger(db: Knex): Promise<string[]> {
  const { rows } = await db.raw<{ rows: { t: string }[] }>(`
    SELECT DISTINCT n.nspname || '.' || c.relname AS t FROM pg_trigger g
      JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE g.tgname = 'set_updated_at' AND NOT c.relispartition AND ${IN_SCHEMAS}`);
  return rows.map((r) => r.t);
}

/** Every bounded text column (`varchar(n)`, `char(n)`): column name -> the tables holding it, with their length. */
export async function textColumnLengths(db: Knex): Promise<Map<string, { table: string; max: number }[]>> {
  const { rows } = await db.raw<{ rows: { t: string; col: string; max: number }[] }>(`
    SELECT table_schema || '.' || table_name AS t, column_name AS col, character_maximum_length AS max
      FROM information_schema.columns
     WHERE table_schema IN (${SCHEMAS.map((s) => `'${s}'`).join(', ')}) AND character_maximum_length IS NOT NULL`);
  const out = new Map<string, { table: string; max: number }[]>();
  for (const r of rows) out.set(r.col, [...(out.get(r.col) ?? []), { table: r.t, max: Number(r.max) }]);
  return out;
}
