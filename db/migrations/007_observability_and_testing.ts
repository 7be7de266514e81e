/**
 * observability_service (logs, metrics, traces) and testing_framework_service (test definitions,
 * runs and per-case results).
 */
import type { Knex } from 'knex';
import {
  enumColumn,
  definitionColumns,
  foreignKey,
  idColumn,
  keepHistory,
  statusColumn,
  timestamps,
  touchUpdatedAt,
  trigramIndex,
} from './helpers';

const OBS = 'observability_service';
const TEST = 'testing_framework_service';

/** Creates observability and testing tables. */
export async function up(knex: Knex): Promise<void> {
  // Telemetry rows have no natural business identifier (except spans); workflow ids are plain
  // columns, not FKs, so logs outlive the instances they describe.
  await knex.schema.withSchema(OBS).createTable('observability_logs', (t) => {
    idColumn(knex, t);
    t.timestamp('timestamp', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('level', 16).notNullable();
    t.text('message').notNullable();
    t.string('service', 100);
    t.string('request_id', 255);
    t.string('temporal_workflow_id', 255);
    t.uuid('workflow_instance_id');
    t.string('step_id', 255);
    t.string('trace_id', 64);
    t.string('span_id', 32);
    t.jsonb('attributes').notNullable().defaultTo('{}');
    timestamps(knex, t);
    t.index(['timestamp']);
    t.index(['level', 'timestamp']);
    t.index(['workflow_instance_id']);
    t.index(['trace_id']);
  });

  await knex.schema.withSchema(OBS).createTable('observability_metrics', (t) => {
    idColumn(knex, t);
    t.string('name', 255).notNullable();
    enumColumn(t, 'type', ['counter', 'gauge', 'histogram', 'summary']).notNullable();
    t.double('value').notNullable();
    t.string('unit', 50);
    t.jsonb('labels').notNullable().defaultTo('{}');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    timestamps(knex, t);
    t.index(['name', 'recorded_at']);
  });
  await knex.raw(
    `CREATE INDEX observability_metrics_labels_gin ON ${OBS}.observability_metrics USING gin (labels jsonb_path_ops)`,
  );

  await knex.schema.withSchema(OBS).createTable('observability_traces', (t) => {
    idColumn(knex, t);
    t.string('trace_id', 64).notNullable();
    t.string('span_id', 32).notNullable();
    t.string('parent_span_id', 32);
    t.string('name', 255).notNullable();
    t.string('service', 100);
    t.string('kind', 20);
    statusColumn(t, ['unset', 'ok', 'error'], 'unset');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true });
    t.integer('duration_ms');
    t.string('temporal_workflow_id', 255);
    t.uuid('workflow_instance_id');
    t.jsonb('attributes').notNullable().defaultTo('{}');
    t.jsonb('events').notNullable().defaultTo('[]');
    timestamps(knex, t);
    t.unique(['trace_id', 'span_id']);
    t.index(['started_at']);
    t.index(['workflow_instance_id']);
  });

  await knex.schema.withSchema(TEST).createTable('test_definitions', (t) => {
    definitionColumns(knex, t, 'test_id');
    enumColumn(t, 'target_type', ['workflow', 'task']).notNullable();
    foreignKey(t, 'workflow_definition_id', 'workflow_orchestrator_service.workflow_definitions', { nullable: true });
    foreignKey(t, 'task_definition_id', 'task_execution_service.task_definitions', { nullable: true });
    t.jsonb('test_cases').notNullable().defaultTo('[]'); // [{ case_id, name, input, expected_output, assertions, mocks }]
    t.jsonb('settings').notNullable().defaultTo('{}'); // timeouts, parallelism
  });
  await trigramIndex(knex, TEST, 'test_definitions');
  await keepHistory(knex, TEST, 'test_definitions', 'test_definition_history', 'test_id');

  await knex.schema.withSchema(TEST).createTable('test_runs', (t) => {
    idColumn(knex, t);
    t.string('run_id', 255).notNullable().unique();
    foreignKey(t, 'test_definition_id', `${TEST}.test_definitions`, { onDelete: 'CASCADE' });
    t.string('test_definition_version', 50);
    statusColumn(t, ['pending', 'running', 'passed', 'failed', 'error', 'cancelled'], 'pending');
    t.string('triggered_by', 255);
    t.jsonb('environment').notNullable().defaultTo('{}');
    t.jsonb('summary').notNullable().defaultTo('{}'); // counts per status
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.integer('duration_ms');
    timestamps(knex, t);
    t.index(['created_at', 'id']);
  });

  await knex.schema.withSchema(TEST).createTable('test_case_results', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'test_run_id', `${TEST}.test_runs`, { onDelete: 'CASCADE' });
    t.string('case_id', 255).notNullable();
    t.string('name', 255);
    statusColumn(t, ['passed', 'failed', 'skipped', 'error'], 'passed');
    t.jsonb('input');
    t.jsonb('expected_output');
    t.jsonb('actual_output');
    t.jsonb('assertions').notNullable().defaultTo('[]');
    t.jsonb('error');
    foreignKey(t, 'workflow_instance_id', 'workflow_orchestrator_service.workflow_instances', { nullable: true });
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.integer('duration_ms');
    timestamps(knex, t);
    t.unique(['test_run_id', 'case_id']);
  });

  for (const table of ['observability_logs', 'observability_metrics', 'observability_traces'])
    await touchUpdatedAt(knex, `${OBS}.${table}`);
  for (const table of ['test_definitions', 'test_runs', 'test_case_results'])
    await touchUpdatedAt(knex, `${TEST}.${table}`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
