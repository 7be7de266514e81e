/**
 * Extensions, the eight service schemas, and the plpgsql functions every later migration relies on:
 * updated_at maintenance, definition history, and monthly partition upkeep.
 */
import type { Knex } from 'knex';
import { SCHEMAS } from './helpers';

const EXTENSIONS = ['pgcrypto', 'uuid-ossp', 'pg_trgm', 'ltree'];

const SET_UPDATED_AT = `
CREATE OR REPLACE FUNCTION public.aos_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$`;

// TG_ARGV[0] = history table (same schema), TG_ARGV[1] = business id column.
// changed_by: the session setting aos.actor (SET LOCAL by the API) or else the new row's updated_by.
const RECORD_HISTORY = `
CREATE OR REPLACE FUNCTION public.aos_record_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_row jsonb := to_jsonb(OLD);
  actor text := nullif(current_setting('aos.actor', true), '');
BEGIN
  IF actor IS NULL AND TG_OP = 'UPDATE' THEN actor := to_jsonb(NEW)->>'updated_by'; END IF;
  EXECUTE format('INSERT INTO %I.%I (definition_id, business_id, version, operation, row_data, valid_from, changed_by)
                  VALUES ($1, $2, $3, $4, $5, $6, $7)', TG_TABLE_SCHEMA, TG_ARGV[0])
    USING OLD.id, old_row->>TG_ARGV[1], old_row->>'version', TG_OP, old_row, (old_row->>'updated_at')::timestamptz, actor;
  RETURN NULL;
END $$`;

// Creates the monthly partitions [current month - months_behind, current month + months_ahead] (UTC months)
// that do not exist yet. Rows already sitting in the DEFAULT partition for a new month are moved into it
// first, because ATTACH (and CREATE ... PARTITION OF) refuse a range the default partition already holds.
const ENSURE_PARTITIONS = `
CREATE OR REPLACE FUNCTION public.aos_ensure_monthly_partitions(parent regclass, months_ahead int DEFAULT 3, months_behind int DEFAULT 0)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  nsp text; rel text; col text; dflt regclass;
  m timestamp; lo timestamptz; hi timestamptz; part text; created int := 0;
BEGIN
  SELECT n.nspname, c.relname INTO nsp, rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  SELECT a.attname, nullif(p.partdefid, 0)::regclass INTO col, dflt
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent;
  IF col IS NULL THEN RAISE EXCEPTION '% is not a partitioned table', parent; END IF;
  -- Two workers starting together must not race to create the same partition.
  PERFORM pg_advisory_xact_lock(hashtext('aos_ensure_monthly_partitions:' || parent::text));
  FOR i IN -months_behind..months_ahead LOOP
    m := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i);
    lo := m AT TIME ZONE 'UTC';
    hi := (m + interval '1 month') AT TIME ZONE 'UTC';
    part := rel || '_p' || to_char(m, 'YYYYMM');
    CONTINUE WHEN to_regclass(format('%I.%I', nsp, part)) IS NOT NULL;
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', nsp, part, nsp, rel);
    IF dflt IS NOT NULL THEN
      EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',
                     dflt, col, col, nsp, part) USING lo, hi;
    END IF;
    EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)', nsp, rel, nsp, part, lo, hi);
    created := created + 1;
  END LOOP;
  RETURN created;
END $$`;

/** Creates extensions, schemas and shared functions. */
export async function up(knex: Knex): Promise<void> {
  for (const ext of EXTENSIONS) await knex.raw(`CREATE EXTENSION IF NOT EXISTS "${ext}"`);
  for (const schema of SCHEMAS) await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await knex.raw(SET_UPDATED_AT);
  await knex.raw(RECORD_HISTORY);
  await knex.raw(ENSURE_PARTITIONS);
}

/** Forward-only: there is no down migration. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
