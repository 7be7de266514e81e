/**
 * A version number of the enabled-trigger set, so routing can keep the compiled triggers in memory
 * (services/events/routing/trigger-set.ts) and reload them only when they changed, instead of reading every
 * wildcard trigger for every event (bench:scale: 112 ms per event with 10,000 triggers). Every statement that
 * writes workflow_event_triggers (foreign-key cascades from workflow_definitions included) bumps the row
 * `workflow_event_triggers` of routing_set_versions in its own transaction, so a reader that sees the new
 * number also sees the new rows (so does an UPDATE of workflow_definitions.workflow_id, which the set carries).
 */
import type { Knex } from 'knex';
import { idColumn, timestamps, touchUpdatedAt } from './helpers';

const WF = 'workflow_orchestrator_service';

/** Creates routing_set_versions, its first row, and the statement trigger that bumps it. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(WF).createTable('routing_set_versions', (t) => {
    idColumn(knex, t);
    t.string('name', 255).notNullable().unique();
    t.bigInteger('version').notNullable().defaultTo(0);
    timestamps(knex, t);
  });
  await touchUpdatedAt(knex, `${WF}.routing_set_versions`);
  await knex.raw(`INSERT INTO ${WF}.routing_set_versions (name) VALUES ('workflow_event_triggers')`);
  await knex.raw(`CREATE FUNCTION ${WF}.aos_bump_trigger_set_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE ${WF}.routing_set_versions SET version = version + 1 WHERE name = 'workflow_event_triggers';
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER bump_trigger_set_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${WF}.workflow_event_triggers
    FOR EACH STATEMENT EXECUTE FUNCTION ${WF}.aos_bump_trigger_set_version()`);
  // The set carries each trigger's definition business id (joined): a statement that may change it counts too.
  await knex.raw(`CREATE TRIGGER bump_trigger_set_version
    AFTER UPDATE OF workflow_id ON ${WF}.workflow_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION ${WF}.aos_bump_trigger_set_version()`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
