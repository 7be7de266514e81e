/**
 * Who published an event (event_instances.published_by, #12): the username the platform authenticated for
 * `POST /events` (or the batch form), or, for an event a run emitted (emit_event step), the username that run was
 * started by. Set by ingest only, never from the request body, so a client cannot claim another user; null when
 * nobody is known (events stored before this column, events of runs without a starter, direct inserts). An
 * event-triggered run records it as `trigger.startedBy`, which the human_task step's self-approval rule reads.
 * A column rather than a metadata field: `metadata` stays what the publisher wrote (the documented envelope).
 */
import type { Knex } from 'knex';

const EV = 'event_processing_service';

/** Adds the column (nullable, no default: a catalog-only change on the partitioned table and its partitions). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE ${EV}.event_instances ADD COLUMN published_by varchar(255)`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
