/**
 * The event dispatcher's claim: undelivered router rows of one dispatcher, oldest due first. Replaces the
 * sweeper-era index on next_attempt_at alone (a claim also re-takes `delivering` rows whose lease expired).
 */
import type { Knex } from 'knex';

const EV = 'event_processing_service';

/** Adds the claim index and drops the one it supersedes. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX event_queue_state_dispatch ON ${EV}.event_queue_state (temporal_workflow_id, next_attempt_at)
    WHERE consumer = 'router' AND status IN ('pending', 'failed', 'delivering')`);
  await knex.raw(`DROP INDEX IF EXISTS ${EV}.event_queue_state_due`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
