/**
 * Data lifecycle (docs/data-lifecycle.md): the row retention's batches find the oldest expired rows of each table
 * by these partial indexes, in the order they are deleted, instead of scanning the table once per batch. Each
 * index covers only rows that can expire (closed runs, delivered queue rows, closed dead letters) and its
 * expression is the time the retention counts from (db/row-retention.ts).
 */
import type { Knex } from 'knex';

const WF = 'workflow_orchestrator_service';
const EV = 'event_processing_service';

/** Adds the three retention indexes. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX workflow_instances_retention ON ${WF}.workflow_instances
    ((COALESCE(completed_at, updated_at)), id)
    WHERE status IN ('completed', 'failed', 'cancelled', 'terminated', 'timed_out')`);
  await knex.raw(`CREATE INDEX event_queue_state_retention ON ${EV}.event_queue_state
    ((COALESCE(delivered_at, updated_at)), id) WHERE status = 'delivered'`);
  await knex.raw(`CREATE INDEX dead_letter_queue_retention ON ${EV}.dead_letter_queue
    ((COALESCE(discarded_at, redriven_at, updated_at)), id) WHERE status IN ('redriven', 'discarded')`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
