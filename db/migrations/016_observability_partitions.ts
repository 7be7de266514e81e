/**
 * Retention (#13): observability_logs, observability_metrics and observability_traces become tables range-partitioned
 * by day on their time column, so expired telemetry is dropped a whole day at a time (DROP TABLE: no DELETE, no
 * bloat, no vacuum) instead of row by row. Daily, not monthly: telemetry is the highest-volume data and is kept for
 * days (defaults 7 to 30), so a day is both the retention granularity and a partition size that stays small.
 *
 * Each table is rebuilt in this migration's transaction: the old one is renamed away, the partitioned one created
 * with the same columns, defaults and checks, a DEFAULT partition (no insert ever fails for lack of a partition) and
 * daily partitions, the rows copied (ids kept), the old table dropped, then keys, indexes and the updated_at trigger
 * added under their old names. A primary key or unique index of a partitioned table must contain the partition
 * column, hence PRIMARY KEY (id, <time>) and traces' UNIQUE (trace_id, span_id, started_at).
 *
 * Also adds public.aos_ensure_range_partitions, the generic (daily or monthly) form of 001's monthly function, which
 * the partition maintenance job (db/partitions.ts) calls for all five partitioned tables.
 */
import type { Knex } from 'knex';
import { touchUpdatedAt } from './helpers';

const OBS = 'observability_service';
/** Daily partitions created ahead by the migration (the maintenance job keeps them ahead afterwards). */
const DAYS_AHEAD = 7;
/** At most this many past days get their own partition for existing rows; older rows stay in DEFAULT. */
const DAYS_BEHIND_MAX = 31;

// Creates the partitions [current period - behind, current period + ahead] (UTC days or months) that do not exist
// yet, named <table>_pYYYYMMDD (day) or <table>_pYYYYMM (month, the names of 001's function). Rows already in the
// DEFAULT partition for a new period are moved into it first: ATTACH refuses a range the default partition holds.
// Takes the same advisory lock as 001's function, so both never race on one table.
const ENSURE_RANGE_PARTITIONS = `
CREATE OR REPLACE FUNCTION public.aos_ensure_range_partitions(parent regclass, period text, ahead int, behind int DEFAULT 0)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  nsp text; rel text; col text; dflt regclass; step interval; fmt text;
  m timestamp; lo timestamptz; hi timestamptz; part text; created int := 0;
BEGIN
  IF period = 'day' THEN step := interval '1 day'; fmt := 'YYYYMMDD';
  ELSIF period = 'month' THEN step := interval '1 month'; fmt := 'YYYYMM';
  ELSE RAISE EXCEPTION 'unknown partition period %', period;
  END IF;
  SELECT n.nspname, c.relname INTO nsp, rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  SELECT a.attname, nullif(p.partdefid, 0)::regclass INTO col, dflt
    FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent;
  IF col IS NULL THEN RAISE EXCEPTION '% is not a partitioned table', parent; END IF;
  PERFORM pg_advisory_xact_lock(hashtext('aos_ensure_monthly_partitions:' || parent::text));
  FOR i IN -behind..ahead LOOP
    m := date_trunc(period, now() AT TIME ZONE 'UTC') + step * i;
    lo := m AT TIME ZONE 'UTC';
    hi := (m + step) AT TIME ZONE 'UTC';
    part := rel || '_p' || to_char(m, fmt);
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

interface TableSpec {
  table: string;
  column: string;
  /** Keys of the partitioned table (they must contain the partition column). */
  keys: string[];
  /** Keys of the plain table of migration 007 (restored by down). */
  plainKeys: string[];
  /** Indexes kept from 007, by name. */
  indexes: [string, string][];
  /** Indexes this migration adds. */
  added: [string, string][];
}

const TABLES: TableSpec[] = [
  {
    table: 'observability_logs',
    column: 'timestamp',
    keys: ['CONSTRAINT observability_logs_pkey PRIMARY KEY (id, "timestamp")'],
    plainKeys: ['CONSTRAINT observability_logs_pkey PRIMARY KEY (id)'],
    indexes: [
      ['observability_logs_timestamp_index', '("timestamp")'],
      ['observability_logs_level_timestamp_index', '(level, "timestamp")'],
      ['observability_logs_workflow_instance_id_index', '(workflow_instance_id)'],
      ['observability_logs_trace_id_index', '(trace_id)'],
    ],
    // Substring search of messages (ILIKE '%...%'), served per partition.
    added: [['observability_logs_message_trgm', 'USING gin (message gin_trgm_ops)']],
  },
  {
    table: 'observability_metrics',
    column: 'recorded_at',
    keys: ['CONSTRAINT observability_metrics_pkey PRIMARY KEY (id, recorded_at)'],
    plainKeys: ['CONSTRAINT observability_metrics_pkey PRIMARY KEY (id)'],
    indexes: [
      ['observability_metrics_name_recorded_at_index', '(name, recorded_at)'],
      ['observability_metrics_labels_gin', 'USING gin (labels jsonb_path_ops)'],
    ],
    added: [],
  },
  {
    table: 'observability_traces',
    column: 'started_at',
    // Leads with trace_id, so it also serves "every span of a trace" (no separate trace_id index needed).
    keys: [
      'CONSTRAINT observability_traces_pkey PRIMARY KEY (id, started_at)',
      'CONSTRAINT observability_traces_trace_id_span_id_started_at_unique UNIQUE (trace_id, span_id, started_at)',
    ],
    plainKeys: [
      'CONSTRAINT observability_traces_pkey PRIMARY KEY (id)',
      'CONSTRAINT observability_traces_trace_id_span_id_unique UNIQUE (trace_id, span_id)',
    ],
    indexes: [
      ['observability_traces_started_at_index', '(started_at)'],
      ['observability_traces_workflow_instance_id_index', '(workflow_instance_id)'],
      ['observability_traces_status_index', '(status)'],
    ],
    added: [],
  },
];

/** Days between the oldest row and today (UTC), capped: how many past daily partitions the rows need. */
async function daysBehind(knex: Knex, table: string, column: string): Promise<number> {
  const { rows } = await knex.raw<{ rows: { days: number | null }[] }>(
    `SELECT ((now() AT TIME ZONE 'UTC')::date - (min(??) AT TIME ZONE 'UTC')::date) AS days FROM ??`,
    [column, table],
  );
  return Math.max(0, Math.min(DAYS_BEHIND_MAX, Number(rows[0]?.days ?? 0)));
}

async function addKeysAndIndexes(knex: Knex, q: string, keys: string[], indexes: [string, string][]): Promise<void> {
  await knex.raw(`ALTER TABLE ${q} ${keys.map((k) => `ADD ${k}`).join(', ')}`);
  for (const [name, def] of indexes) await knex.raw(`CREATE INDEX ${name} ON ${q} ${def}`);
  await touchUpdatedAt(knex, q);
}

/** Rebuilds the three telemetry tables as daily range-partitioned tables, keeping their rows and ids. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(ENSURE_RANGE_PARTITIONS);
  for (const spec of TABLES) {
    const q = `${OBS}.${spec.table}`;
    const old = `${spec.table}_unpartitioned`;
    await knex.raw(`ALTER TABLE ${q} RENAME TO ${old}`);
    await knex.raw(`CREATE TABLE ${q} (LIKE ${OBS}.${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
      PARTITION BY RANGE ("${spec.column}")`);
    await knex.raw(`CREATE TABLE ${q}_default PARTITION OF ${q} DEFAULT`);
    const behind = await daysBehind(knex, `${OBS}.${old}`, spec.column);
    await knex.raw(`SELECT public.aos_ensure_range_partitions(?::regclass, 'day', ?, ?)`, [q, DAYS_AHEAD, behind]);
    // LIKE keeps the column order, so SELECT * lines up.
    await knex.raw(`INSERT INTO ${q} SELECT * FROM ${OBS}.${old}`);
    await knex.raw(`DROP TABLE ${OBS}.${old}`);
    await addKeysAndIndexes(knex, q, spec.keys, [...spec.indexes, ...spec.added]);
  }
}

/**
 * Rebuilds the three tables as the plain tables of migration 007, rows and ids kept. Fails (and changes nothing)
 * if two spans now share (trace_id, span_id) with different started_at, which the plain table cannot hold.
 */
export async function down(knex: Knex): Promise<void> {
  for (const spec of TABLES) {
    const q = `${OBS}.${spec.table}`;
    const old = `${spec.table}_partitioned`;
    await knex.raw(`ALTER TABLE ${q} RENAME TO ${old}`);
    await knex.raw(`CREATE TABLE ${q} (LIKE ${OBS}.${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await knex.raw(`INSERT INTO ${q} SELECT * FROM ${OBS}.${old}`);
    await knex.raw(`DROP TABLE ${OBS}.${old}`); // its partitions with it
    await addKeysAndIndexes(knex, q, spec.plainKeys, spec.indexes);
  }
  await knex.raw('DROP FUNCTION public.aos_ensure_range_partitions(regclass, text, int, int)');
}
