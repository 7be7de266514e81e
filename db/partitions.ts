/** Upkeep of the monthly range partitions of event_instances and task_instances. */
import type { Knex } from 'knex';

/** The tables partitioned by month on created_at. */
export const PARTITIONED_TABLES = [
  'event_processing_service.event_instances',
  'task_execution_service.task_instances',
] as const;

/**
 * Creates the monthly partitions from the current month to `monthsAhead` months ahead for every
 * partitioned table (rows already in the DEFAULT partition for those months are moved in).
 * Idempotent and safe to run concurrently; call it on worker start-up and daily. Returns the number created.
 */
export async function ensurePartitions(db: Knex, monthsAhead = 3): Promise<number> {
  let created = 0;
  for (const table of PARTITIONED_TABLES) {
    const { rows } = await db.raw<{ rows: { n: number }[] }>(
      'SELECT public.aos_ensure_monthly_partitions(?::regclass, ?) AS n',
      [table, monthsAhead],
    );
    created += rows[0]?.n ?? 0;
  }
  return created;
}
