/**
 * web_application_service.ui_components and integration_service.integration_definitions /
 * integration_instances, with definition history for the two definition tables.
 */
import type { Knex } from 'knex';
import {
  definitionColumns,
  foreignKey,
  idColumn,
  keepHistory,
  statusColumn,
  timestamps,
  touchUpdatedAt,
  trigramIndex,
} from './helpers';

const WEB = 'web_application_service';
const INT = 'integration_service';

/** Creates UI component and integration tables. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(WEB).createTable('ui_components', (t) => {
    definitionColumns(knex, t, 'component_id');
    t.string('component_type', 50).notNullable().defaultTo('form'); // form | display | widget
    t.jsonb('form_schema'); // JSON Schema of the data the component edits (manual tasks)
    t.jsonb('ui_schema'); // rendering hints per field
    t.jsonb('layout');
    t.jsonb('actions'); // buttons and the outcome each one submits
  });
  await trigramIndex(knex, WEB, 'ui_components');
  await touchUpdatedAt(knex, `${WEB}.ui_components`);
  await keepHistory(knex, WEB, 'ui_components', 'ui_component_history', 'component_id');

  await knex.schema.withSchema(INT).createTable('integration_definitions', (t) => {
    definitionColumns(knex, t, 'integration_id');
    t.string('integration_type', 50).notNullable(); // http | oauth2 | database | ...
    t.string('auth_type', 50).notNullable().defaultTo('none'); // none | api_key | basic | oauth2
    t.jsonb('config_schema'); // JSON Schema for integration_instances.config
    t.jsonb('credentials_schema'); // JSON Schema for the (encrypted) credentials
    t.jsonb('operations').notNullable().defaultTo('[]'); // operations an `integration` task may call
    t.jsonb('ui_metadata');
  });
  await trigramIndex(knex, INT, 'integration_definitions');
  await touchUpdatedAt(knex, `${INT}.integration_definitions`);
  await keepHistory(knex, INT, 'integration_definitions', 'integration_definition_history', 'integration_id');

  await knex.schema.withSchema(INT).createTable('integration_instances', (t) => {
    idColumn(knex, t);
    t.string('instance_id', 255).notNullable().unique();
    t.string('name', 255).notNullable();
    t.text('description');
    foreignKey(t, 'integration_definition_id', `${INT}.integration_definitions`);
    t.jsonb('config').notNullable().defaultTo('{}');
    // Encrypted by the application (key from config); the database never sees plaintext.
    t.binary('credentials');
    t.string('credentials_key_id', 100); // which key encrypted them, for rotation
    t.timestamp('credentials_expires_at', { useTz: true }); // OAuth access tokens
    statusColumn(t, ['active', 'disabled', 'error'], 'active');
    t.uuid('owner_user_id').references('id').inTable('auth_service.users').onDelete('SET NULL');
    t.index(['owner_user_id']);
    t.timestamp('last_used_at', { useTz: true });
    t.jsonb('last_error');
    timestamps(knex, t);
  });
  await touchUpdatedAt(knex, `${INT}.integration_instances`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
