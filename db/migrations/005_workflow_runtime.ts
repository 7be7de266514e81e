/**
 * The lifecycle mirror and event wiring of workflows: workflow_instances, task_instances (monthly
 * range partitions), workflow_event_triggers (documented columns) and workflow_event_subscriptions.
 */
import type { Knex } from 'knex';
import { enumColumn, foreignKey, idColumn, statusColumn, timestamps, touchUpdatedAt } from './helpers';

const WF = 'workflow_orchestrator_service';
const TASK = 'task_execution_service';

const WORKFLOW_STATUSES = [
  'pending',
  'running',
  'waiting',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
];

// Partitioned tables need raw DDL. The primary key and every unique index must contain the
// partition column (created_at), so idempotent mirror writes key on (workflow_instance_id,
// execution_key, created_at) and the writer passes a deterministic created_at (see docs/data-model.md).
const TASK_INSTANCES = `
CREATE TABLE ${TASK}.task_instances (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  workflow_instance_id uuid NOT NULL REFERENCES ${WF}.workflow_instances (id) ON DELETE CASCADE,
  task_definition_id uuid REFERENCES ${TASK}.task_definitions (id) ON DELETE SET NULL,
  task_id varchar(255),
  task_version varchar(50),
  step_id varchar(255) NOT NULL,
  step_type varchar(50) NOT NULL DEFAULT 'task',
  step_path ltree,
  execution_key varchar(512) NOT NULL,
  status varchar(32) NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'scheduled', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'timed_out', 'skipped')),
  input jsonb,
  output jsonb,
  error jsonb,
  attempt integer NOT NULL DEFAULT 1,
  started_at timestamptz,
  completed_at timestamptz,
  duration_ms integer,
  temporal_activity_id varchar(255),
  mirror_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, created_at),
  UNIQUE (workflow_instance_id, execution_key, created_at)
) PARTITION BY RANGE (created_at)`;

/** Creates workflow instance, task instance, trigger and subscription tables. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(WF).createTable('workflow_instances', (t) => {
    idColumn(knex, t);
    // The Temporal workflow id is the business identifier; continue-as-new keeps it and changes the run id.
    t.string('temporal_workflow_id', 255).notNullable().unique();
    t.string('temporal_run_id', 255);
    foreignKey(t, 'workflow_definition_id', `${WF}.workflow_definitions`);
    t.string('definition_workflow_id', 255).notNullable();
    t.string('definition_version', 50).notNullable();
    statusColumn(t, WORKFLOW_STATUSES, 'pending');
    t.jsonb('input');
    t.jsonb('output');
    t.jsonb('error');
    t.jsonb('variables').notNullable().defaultTo('{}'); // $vars: the run's memory
    t.jsonb('current_steps').notNullable().defaultTo('[]');
    t.string('correlation_key', 512);
    t.string('business_key', 512);
    t.jsonb('trigger'); // how the run started: api / event trigger (+ event id) / parent workflow
    foreignKey(t, 'parent_instance_id', `${WF}.workflow_instances`, { nullable: true });
    t.string('parent_step_id', 255);
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    // Monotonic version of the mirrored state: writes apply only when newer (late writes never regress).
    t.bigInteger('mirror_seq').notNullable().defaultTo(0);
    timestamps(knex, t);
    t.index(['definition_workflow_id', 'definition_version']);
    t.index(['correlation_key']);
    t.index(['business_key']);
    t.index(['created_at']);
    t.index(['started_at']);
    t.index(['completed_at']);
  });
  await knex.raw(
    `CREATE INDEX workflow_instances_variables_gin ON ${WF}.workflow_instances USING gin (variables jsonb_path_ops)`,
  );
  await touchUpdatedAt(knex, `${WF}.workflow_instances`);

  await knex.raw(TASK_INSTANCES);
  await knex.raw(`CREATE TABLE ${TASK}.task_instances_default PARTITION OF ${TASK}.task_instances DEFAULT`);
  for (const cols of [
    'workflow_instance_id',
    'task_definition_id',
    'status',
    'started_at',
    'completed_at',
    'temporal_activity_id',
  ]) {
    await knex.raw(`CREATE INDEX task_instances_${cols}_idx ON ${TASK}.task_instances (${cols})`);
  }
  await knex.raw(`CREATE INDEX task_instances_created_at_idx ON ${TASK}.task_instances (created_at, id)`);
  await knex.raw(`CREATE INDEX task_instances_step_path_gist ON ${TASK}.task_instances USING gist (step_path)`);
  await touchUpdatedAt(knex, `${TASK}.task_instances`);
  await knex.raw(`SELECT public.aos_ensure_monthly_partitions('${TASK}.task_instances'::regclass, 3, 0)`);

  await knex.schema.withSchema(WF).createTable('workflow_event_triggers', (t) => {
    idColumn(knex, t);
    // Not in the documented columns: a stable business id so seeds and APIs can upsert triggers.
    t.string('trigger_id', 255).notNullable().unique().defaultTo(knex.raw('gen_random_uuid()::text'));
    foreignKey(t, 'workflow_definition_id', `${WF}.workflow_definitions`, { onDelete: 'CASCADE' });
    t.string('event_pattern', 255).notNullable();
    enumColumn(t, 'trigger_type', ['START', 'CANCEL']).notNullable();
    t.text('event_condition');
    t.jsonb('input_mapping');
    t.string('correlation_key', 512);
    t.boolean('enabled').notNullable().defaultTo(true);
    t.integer('priority').notNullable().defaultTo(100);
    t.text('description');
    // Additions: the event definition the pattern came from, and what a START does when a run with the
    // same correlation key is already running (skip it, signal the running one, or start anyway).
    foreignKey(t, 'event_definition_id', 'event_processing_service.event_definitions', { nullable: true });
    enumColumn(t, 'on_running', ['skip', 'signal', 'start']).notNullable().defaultTo('skip');
    timestamps(knex, t);
    t.index(['event_pattern']);
  });
  await knex.raw(
    `CREATE INDEX workflow_event_triggers_routing ON ${WF}.workflow_event_triggers (event_pattern, priority) WHERE enabled`,
  );
  await knex.raw(
    `CREATE INDEX workflow_event_triggers_input_mapping_gin ON ${WF}.workflow_event_triggers USING gin (input_mapping)`,
  );
  await touchUpdatedAt(knex, `${WF}.workflow_event_triggers`);

  await knex.schema.withSchema(WF).createTable('workflow_event_subscriptions', (t) => {
    idColumn(knex, t);
    // Deterministic per wait (workflow id + step path + iteration) so a retried registration is a no-op.
    t.string('subscription_key', 512).notNullable().unique();
    foreignKey(t, 'workflow_instance_id', `${WF}.workflow_instances`, { nullable: true, onDelete: 'CASCADE' });
    t.string('temporal_workflow_id', 255).notNullable();
    t.string('temporal_run_id', 255);
    t.string('step_id', 255).notNullable();
    t.specificType('step_path', 'ltree');
    t.string('event_pattern', 255).notNullable();
    t.string('correlation_value', 512);
    t.string('signal_name', 255);
    statusColumn(t, ['open', 'matched', 'expired', 'cancelled'], 'open');
    t.timestamp('expires_at', { useTz: true });
    t.string('matched_event_id', 255);
    t.uuid('matched_event_instance_id');
    t.timestamp('matched_at', { useTz: true });
    t.timestamp('closed_at', { useTz: true });
    timestamps(knex, t);
    t.index(['temporal_workflow_id']);
  });
  await knex.raw(
    `CREATE INDEX workflow_event_subscriptions_routing ON ${WF}.workflow_event_subscriptions (event_pattern, correlation_value) WHERE status = 'open'`,
  );
  await knex.raw(
    `CREATE INDEX workflow_event_subscriptions_expiry ON ${WF}.workflow_event_subscriptions (expires_at) WHERE status = 'open'`,
  );
  await touchUpdatedAt(knex, `${WF}.workflow_event_subscriptions`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
