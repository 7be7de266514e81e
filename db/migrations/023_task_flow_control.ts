/**
 * A task definition's flow control (#15) is stored with it: `limits` (jsonb: rate_per_second, burst,
 * concurrency; held across workers in task_rate_limits and task_concurrency_leases of migration 018) and
 * `priority` (the Temporal priority key of its activities, 1 = most urgent .. 5). Migration 018 made the tables
 * the limits run on but no place for the definition's own fields: without these columns a saved definition
 * would drop them.
 */
import type { Knex } from 'knex';

/** Adds task_definitions.limits and task_definitions.priority. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE task_execution_service.task_definitions
    ADD COLUMN limits jsonb,
    ADD COLUMN priority smallint,
    ADD CONSTRAINT task_definitions_priority_check CHECK (priority BETWEEN 1 AND 5)`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
