/**
 * The three definition tables the engine and the event pipeline read: task_definitions,
 * workflow_definitions and event_definitions (columns of the latter as documented), each versioned
 * by (business id, version) and with a plain-SQL history table.
 */
import type { Knex } from 'knex';
import { enumColumn, definitionColumns, foreignKey, keepHistory, touchUpdatedAt, trigramIndex } from './helpers';

const TASK = 'task_execution_service';
const WF = 'workflow_orchestrator_service';
const EV = 'event_processing_service';

const TASK_TYPES = ['http', 'transform', 'code', 'integration', 'noop', 'echo', 'manual'] as const;

/** Creates the definition tables and their history. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(TASK).createTable('task_definitions', (t) => {
    definitionColumns(knex, t, 'task_id');
    enumColumn(t, 'type', [...TASK_TYPES]).notNullable();
    t.jsonb('config').notNullable().defaultTo('{}');
    t.jsonb('input_schema');
    t.jsonb('output_schema');
    t.jsonb('retry_policy'); // max_attempts, initial_interval, max_interval, backoff_coefficient, non_retryable_errors
    t.jsonb('timeouts'); // start_to_close, schedule_to_close, heartbeat
    foreignKey(t, 'ui_component_id', 'web_application_service.ui_components', { nullable: true });
    t.string('checksum', 64);
    t.index(['type']);
  });

  await knex.schema.withSchema(WF).createTable('workflow_definitions', (t) => {
    definitionColumns(knex, t, 'workflow_id');
    t.jsonb('definition').notNullable(); // the full document (steps, timeouts, ...) as submitted
    t.jsonb('input_schema');
    t.jsonb('output_schema');
    t.string('checksum', 64); // sha-256 of the canonical document: detects "same content, new version?"
    t.jsonb('validation_errors').notNullable().defaultTo('[]'); // last validation result (validation_logs of seed 004)
    t.timestamp('validated_at', { useTz: true });
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('deprecated_at', { useTz: true });
  });
  // "latest active version of X" is the engine's hot lookup.
  await knex.raw(
    `CREATE INDEX workflow_definitions_active ON ${WF}.workflow_definitions (workflow_id, created_at DESC) WHERE status = 'active'`,
  );
  await knex.raw(
    `CREATE INDEX task_definitions_active ON ${TASK}.task_definitions (task_id, created_at DESC) WHERE status = 'active'`,
  );

  await knex.schema.withSchema(EV).createTable('event_definitions', (t) => {
    definitionColumns(knex, t, 'event_id');
    t.string('pattern', 255).notNullable();
    t.jsonb('source_types').notNullable().defaultTo('[]');
    t.jsonb('payload_schema');
    t.jsonb('examples').notNullable().defaultTo('[]');
    t.jsonb('ui_metadata');
    t.string('sequence_key_path', 255); // payload/metadata field that orders events (default: metadata.correlationId)
    // Ingest validates by (pattern, version); two definitions for the same pair would be ambiguous.
    t.unique(['pattern', 'version']);
  });

  for (const [schema, table, history, businessId] of [
    [TASK, 'task_definitions', 'task_definition_history', 'task_id'],
    [WF, 'workflow_definitions', 'workflow_definition_history', 'workflow_id'],
    [EV, 'event_definitions', 'event_definition_history', 'event_id'],
  ] as const) {
    await trigramIndex(knex, schema, table);
    await touchUpdatedAt(knex, `${schema}.${table}`);
    await keepHistory(knex, schema, table, history, businessId);
  }
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
