/**
 * State that several API and worker processes on one database must share (#17), following the model's
 * conventions (uuid id, created_at/updated_at kept by the shared trigger):
 *
 * - `auth_service.login_attempts`: the failed-login counter of `POST /auth/login`, one row per limiter key
 *   (client IP and username) with its hits and the end of its window. Every API process counts into the same row,
 *   so the limit holds for the deployment, not per process.
 * - `task_execution_service.dropped_task_writes`: runs whose task mirror writes a worker had to drop (database
 *   down past the retries). Recorded once the database is back, so the record outlives the worker and any
 *   worker's reconciler rebuilds the run's task rows from history. No foreign key to workflow_instances: the
 *   record must stay writable whatever happens to the run's row, and the reconciler works from Temporal's ids.
 */
import type { Knex } from 'knex';
import { idColumn, timestamps, touchUpdatedAt } from './helpers';

/** Creates login_attempts and dropped_task_writes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('auth_service').createTable('login_attempts', (t) => {
    idColumn(knex, t);
    t.string('key', 600).notNullable().unique();
    t.integer('hits').notNullable();
    t.timestamp('reset_at', { useTz: true }).notNullable();
    timestamps(knex, t);
    t.index(['reset_at']); // the sweep of expired windows
  });
  await touchUpdatedAt(knex, 'auth_service.login_attempts');

  await knex.schema.withSchema('task_execution_service').createTable('dropped_task_writes', (t) => {
    idColumn(knex, t);
    t.string('run_id', 255).notNullable().unique();
    t.string('workflow_id', 1000).notNullable();
    t.uuid('workflow_instance_id').notNullable();
    timestamps(knex, t);
  });
  await touchUpdatedAt(knex, 'task_execution_service.dropped_task_writes');
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
