/**
 * The task mirror's hot write: one full attempt row, upserted with a named prepared statement. Every task
 * attempt writes here (from the activity itself), so it skips knex's query builder and lets PostgreSQL
 * reuse one plan per connection; the semantics equal mirrorTaskInstance (idempotent, seq-guarded).
 */
import type { Knex } from 'knex';
import type { TaskInstanceRow } from './task-instances';

/** Every column an attempt write sets; jsonb values arrive as JSON text. */
export type TaskAttemptRow = Pick<
  TaskInstanceRow,
  'workflow_instance_id' | 'execution_key' | 'created_at' | 'task_definition_id' | 'task_id' | 'task_version' | 'step_id' | 'step_type'
  | 'step_path' | 'status' | 'attempt' | 'started_at' | 'completed_at' | 'duration_ms' | 'temporal_activity_id' | 'mirror_seq'
> & { input: string | null; output: string | null; error: string | null };

const KEY = ['workflow_instance_id', 'execution_key', 'created_at'] as const;
const COLUMNS = [
  ...KEY, 'task_definition_id', 'task_id', 'task_version', 'step_id', 'step_type', 'step_path', 'status', 'input', 'output', 'error',
  'attempt', 'started_at', 'completed_at', 'duration_ms', 'temporal_activity_id', 'mirror_seq',
] as const satisfies ReadonlyArray<keyof TaskAttemptRow>;

const SQL = `INSERT INTO task_execution_service.task_instances (${COLUMNS.join(', ')})
VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET ${COLUMNS.filter((c) => !(KEY as readonly string[]).includes(c)).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
WHERE task_instances.mirror_seq < EXCLUDED.mirror_seq
RETURNING id`;

interface PgClient {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rowCount: number | null }>;
}

/** Upserts one attempt row; true when it took effect (false = a newer or equal write is already stored). */
export async function upsertTaskAttempt(db: Knex, row: TaskAttemptRow): Promise<boolean> {
  const values = COLUMNS.map((c) => row[c]);
  const conn = (await db.client.acquireConnection()) as PgClient;
  try {
    const result = await conn.query({ name: 'aos_task_attempt_upsert', text: SQL, values });
    return (result.rowCount ?? 0) > 0;
  } finally {
    await db.client.releaseConnection(conn);
  }
}
