/**
 * Manual task definitions name their form (#12): task_definitions.ui_component keeps the component_id and version
 * that ui_component_id (the foreign key, set since 004 but never written until now) points at, so a definition
 * reads back as it was written without a join. Both are set together on save, for `manual` tasks only.
 */
import type { Knex } from 'knex';

/** Adds task_definitions.ui_component. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE task_execution_service.task_definitions
    ADD COLUMN ui_component jsonb,
    ADD CONSTRAINT task_definitions_ui_component_pair CHECK ((ui_component IS NULL) = (ui_component_id IS NULL))`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
