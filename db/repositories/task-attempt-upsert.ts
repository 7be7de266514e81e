/**
 * The task mirror's hot write: attempt rows upserted with named prepared statements. Every task attempt
 * writes here (from the activity itself), so it skips knex's query builder and lets PostgreSQL reuse one
 * plan per connection; the semantics equal mirrorTaskInstance (idempotent, seq-guarded).
 *
 * `upsertTaskAttempts` writes many rows in one statement (one array parameter per column, `unnest`ed), so the
 * task mirror's group commit costs one round trip and one commit for every attempt that ended meanwhile.
 */
import type { Knex } from 'knex';
import type { TaskInstanceRow } from './task-instances';

/** Every column an attempt write sets; jsonb values arrive as JSON text. */
export type TaskAttemptRow = Pick<
  TaskInstanceRow,
  | 'workflow_instance_id'
  | 'execution_key'
  | 'created_at'
  | 'task_definition_id'
  | 'task_id'
  | 'task_version'
  | 'step_id'
  | 'step_type'
  | 'step_path'
  | 'status'
  | 'attempt'
  | 'started_at'
  | 'completed_at'
  | 'duration_ms'
  | 'temporal_activity_id'
  | 'mirror_seq'
> & { input: string | null; output: string | null; error: string | null };

const KEY = ['workflow_instance_id', 'execution_key', 'created_at'] as const;
/** Columns with their PostgreSQL types (the array parameters of the multi-row form are typed by them). */
const COLUMN_TYPES = {
  workflow_instance_id: 'uuid',
  execution_key: 'text',
  created_at: 'timestamptz',
  task_definition_id: 'uuid',
  task_id: 'text',
  task_version: 'text',
  step_id: 'text',
  step_type: 'text',
  step_path: 'ltree',
  status: 'text',
  input: 'jsonb',
  output: 'jsonb',
  error: 'jsonb',
  attempt: 'int4',
  started_at: 'timestamptz',
  completed_at: 'timestamptz',
  duration_ms: 'int4',
  temporal_activity_id: 'text',
  mirror_seq: 'int8',
} as const satisfies Record<keyof TaskAttemptRow, string>;
const COLUMNS = Object.keys(COLUMN_TYPES) as Array<keyof TaskAttemptRow>;

const CONFLICT = `ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET ${COLUMNS.filter(
  (c) => !(KEY as readonly string[]).includes(c),
)
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ')}
WHERE task_instances.mirror_seq < EXCLUDED.mirror_seq`;

const ONE = `INSERT INTO task_execution_service.task_instances (${COLUMNS.join(', ')})
VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
${CONFLICT}
RETURNING id`;

// ltree and jsonb travel as text arrays (no array literal escaping of their own) and are cast per element.
const arrayType = (c: keyof TaskAttemptRow) =>
  COLUMN_TYPES[c] === 'ltree' || COLUMN_TYPES[c] === 'jsonb' ? 'text' : COLUMN_TYPES[c];
const cast = (c: keyof TaskAttemptRow) => (arrayType(c) === COLUMN_TYPES[c] ? c : `${c}::${COLUMN_TYPES[c]}`);
const MANY = `INSERT INTO task_execution_service.task_instances (${COLUMNS.join(', ')})
SELECT ${COLUMNS.map(cast).join(', ')}
FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${arrayType(c)}[]`).join(', ')}) AS r(${COLUMNS.join(', ')})
${CONFLICT}`;

interface PgClient {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rowCount: number | null }>;
}

async function run(db: Knex, name: string, text: string, values: unknown[]): Promise<number> {
  const conn = (await db.client.acquireConnection()) as PgClient;
  try {
    const result = await conn.query({ name, text, values });
    return result.rowCount ?? 0;
  } finally {
    await db.client.releaseConnection(conn);
  }
}

/** Upserts one attempt row; true when it took effect (false = a newer or equal write is already stored). */
export async function upsertTaskAttempt(db: Knex, row: TaskAttemptRow): Promise<boolean> {
  return (
    (await run(
      db,
      'aos_task_attempt_upsert',
      ONE,
      COLUMNS.map((c) => row[c]),
    )) > 0
  );
}

/**
 * Upserts many attempt rows in one statement; returns how many took effect. The rows must have distinct keys
 * (PostgreSQL refuses to update one row twice in a statement): keep only the highest mirror_seq per key.
 */
export async function upsertTaskAttempts(db: Knex, rows: readonly TaskAttemptRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  if (rows.length === 1) return (await upsertTaskAttempt(db, rows[0])) ? 1 : 0;
  return run(
    db,
    'aos_task_attempt_upsert_many',
    MANY,
    COLUMNS.map((c) => rows.map((r) => r[c])),
  );
}

/** The key a row is upserted under (rows of one statement must not share it). */
export function taskAttemptKey(row: TaskAttemptRow): string {
  return `${row.workflow_instance_id}/${row.execution_key}/${row.created_at.toISOString()}`;
}
