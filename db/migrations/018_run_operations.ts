/**
 * Run operations (#15), additions to the source documents' model following their conventions (uuid ids,
 * timestamps, indexed foreign keys, CHECK-limited status columns):
 *
 * - `workflow_instances`: statuses `paused` (held between steps by an operator) and `queued` (a start waiting for
 *   its definition's concurrency limit; no Temporal run yet); the run's lineage (`origin_instance_id`,
 *   `origin_kind`: the run this one redrove or reran); flow control (`concurrency_key`, `queue_seq`, the
 *   `start_request` a queued start begins with, `priority`).
 * - `workflow_control_actions`: who did what to a run, and when (start, cancel, terminate, redrive, rerun, pause,
 *   resume, event), with the bulk operation that did it.
 * - `bulk_operations` and `bulk_operation_items`: tracked jobs acting on runs or dead letters chosen by a filter;
 *   one item row per target makes each item act once.
 * - `workflow_schedules`: schedules over Temporal Schedules, owned by the orchestrator service.
 * - `task_rate_limits` and `task_concurrency_leases` (task_execution_service): a task definition's call rate
 *   (GCRA: the theoretical arrival time of the next call) and its concurrent calls (leases that expire unless
 *   renewed), shared by every worker.
 */
import type { Knex } from 'knex';
import { enumColumn, foreignKey, idColumn, statusColumn, timestamps, touchUpdatedAt } from './helpers';

const WF = 'workflow_orchestrator_service';
const TASK = 'task_execution_service';

/** Every workflow_instances status after this migration. */
const RUN_STATUSES = [
  'queued',
  'pending',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
];

/** The control actions recorded per run. */
export const CONTROL_ACTIONS = [
  'start',
  'cancel',
  'terminate',
  'redrive',
  'rerun',
  'pause',
  'resume',
  'event',
  'dequeue',
] as const;

/** The actions a bulk operation may take. */
export const BULK_ACTIONS = [
  'cancel',
  'terminate',
  'redrive',
  'pause',
  'resume',
  'discard_dead_letters',
  'redrive_dead_letters',
] as const;

async function replaceCheck(knex: Knex, table: string, column: string, values: readonly string[]): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ conname: string }> }>(
    `SELECT c.conname FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
      WHERE c.conrelid = ?::regclass AND c.contype = 'c' AND a.attname = ?`,
    [table, column],
  );
  for (const { conname } of rows) await knex.raw(`ALTER TABLE ${table} DROP CONSTRAINT "${conname}"`);
  const list = values.map((v) => `'${v}'`).join(', ');
  const name = `${table.split('.')[1]}_${column}_check`;
  await knex.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IN (${list}))`);
}

export async function up(knex: Knex): Promise<void> {
  await replaceCheck(knex, `${WF}.workflow_instances`, 'status', RUN_STATUSES);
  await knex.raw(`CREATE SEQUENCE ${WF}.workflow_instance_queue_seq`);
  await knex.schema.withSchema(WF).alterTable('workflow_instances', (t) => {
    t.uuid('origin_instance_id').references('id').inTable(`${WF}.workflow_instances`).onDelete('SET NULL');
    t.index(['origin_instance_id']);
    enumColumn(t, 'origin_kind', ['redrive', 'rerun']);
    t.string('concurrency_key', 512);
    // Taken from the sequence when the start is queued (under the definition's lock): the queue's order.
    t.bigInteger('queue_seq');
    // What a queued start needs to begin later (interpreter options, priority, the key's definition row).
    t.jsonb('start_request');
    t.smallint('priority');
  });
  // A run is redriven at most once (the redriven run is redriven in turn); reruns may repeat.
  await knex.raw(
    `CREATE UNIQUE INDEX workflow_instances_redriven_once ON ${WF}.workflow_instances (origin_instance_id)
      WHERE origin_kind = 'redrive'`,
  );
  // Flow control counts open runs per (definition, key) and takes queued ones in order.
  await knex.raw(
    `CREATE INDEX workflow_instances_concurrency ON ${WF}.workflow_instances
       (definition_workflow_id, concurrency_key, status) WHERE status NOT IN ('completed', 'failed', 'cancelled', 'terminated', 'timed_out')`,
  );
  await knex.raw(
    `CREATE INDEX workflow_instances_queue ON ${WF}.workflow_instances (definition_workflow_id, concurrency_key, queue_seq)
      WHERE status = 'queued'`,
  );

  await knex.schema.withSchema(WF).createTable('bulk_operations', (t) => {
    idColumn(knex, t);
    t.string('action', 100)
      .checkIn([...BULK_ACTIONS])
      .notNullable();
    t.jsonb('filter').notNullable(); // as asked (definition, version, status, correlation key, time range, query)
    t.jsonb('options').notNullable().defaultTo('{}'); // reason, rate, rerun input...
    statusColumn(t, ['pending', 'running', 'completed', 'cancelled', 'failed'], 'pending');
    t.integer('matched');
    t.integer('succeeded').notNullable().defaultTo(0);
    t.integer('failed').notNullable().defaultTo(0);
    t.integer('skipped').notNullable().defaultTo(0);
    t.double('rate_per_second').notNullable();
    t.string('requested_by', 255);
    // A repeated request (same key) answers the existing operation instead of acting twice.
    t.string('idempotency_key', 255).unique();
    t.string('temporal_workflow_id', 255);
    t.jsonb('error');
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    timestamps(knex, t);
    t.index(['created_at']);
  });
  await touchUpdatedAt(knex, `${WF}.bulk_operations`);

  await knex.schema.withSchema(WF).createTable('bulk_operation_items', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'bulk_operation_id', `${WF}.bulk_operations`, { onDelete: 'CASCADE' });
    // A workflow_instances id or an event_dead_letters id, depending on the action.
    t.uuid('target_id').notNullable();
    t.integer('position').notNullable(); // match order
    statusColumn(t, ['pending', 'succeeded', 'failed', 'skipped'], 'pending');
    t.jsonb('result');
    t.jsonb('error');
    t.timestamp('processed_at', { useTz: true });
    timestamps(knex, t);
    // One item per target: a retried materialisation inserts nothing twice.
    t.unique(['bulk_operation_id', 'target_id']);
    t.index(['bulk_operation_id', 'position']);
  });
  await touchUpdatedAt(knex, `${WF}.bulk_operation_items`);

  await knex.schema.withSchema(WF).createTable('workflow_control_actions', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'workflow_instance_id', `${WF}.workflow_instances`, { onDelete: 'CASCADE' });
    t.string('action', 100)
      .checkIn([...CONTROL_ACTIONS])
      .notNullable();
    // The principal's username (`system:<component>` for the platform itself) and user id when a person.
    t.string('principal', 255).notNullable();
    t.uuid('principal_id');
    t.jsonb('details').notNullable().defaultTo('{}');
    foreignKey(t, 'bulk_operation_id', `${WF}.bulk_operations`, { nullable: true });
    // The clock when the row is written (not the transaction's start): history orders by it.
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    timestamps(knex, t);
    t.index(['workflow_instance_id', 'at']);
  });
  await touchUpdatedAt(knex, `${WF}.workflow_control_actions`);

  await knex.schema.withSchema(WF).createTable('workflow_schedules', (t) => {
    idColumn(knex, t);
    t.string('schedule_id', 200).notNullable().unique(); // business id; the Temporal schedule id derives from it
    t.string('workflow_id', 255).notNullable(); // the definition's business id
    t.string('workflow_version', 50); // pinned version; null = the active version when each run starts
    t.text('description');
    t.jsonb('spec').notNullable(); // cron expressions / intervals, time zone, jitter, start and end
    t.jsonb('input'); // static input, or a template with `$scheduledTime`
    t.jsonb('policies').notNullable().defaultTo('{}'); // overlap, catch-up window, pause on failure
    statusColumn(t, ['active', 'paused'], 'active');
    t.text('note'); // why it is paused
    t.string('temporal_schedule_id', 255).notNullable().unique();
    t.string('created_by', 255);
    timestamps(knex, t);
    t.index(['workflow_id']);
  });
  await touchUpdatedAt(knex, `${WF}.workflow_schedules`);

  await knex.schema.withSchema(TASK).createTable('task_rate_limits', (t) => {
    idColumn(knex, t);
    t.string('task_id', 255).notNullable().unique();
    // GCRA: the theoretical arrival time of the next call; a call may go at tat - (burst - 1) / rate.
    t.timestamp('tat', { useTz: true }).notNullable();
    timestamps(knex, t);
  });
  await touchUpdatedAt(knex, `${TASK}.task_rate_limits`);

  await knex.schema.withSchema(TASK).createTable('task_concurrency_leases', (t) => {
    idColumn(knex, t);
    t.string('task_id', 255).notNullable();
    t.string('holder', 1000).notNullable(); // the activity holding it (workflow id, activity id, attempt)
    t.timestamp('acquired_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    timestamps(knex, t);
    t.unique(['task_id', 'holder']);
    t.index(['task_id', 'expires_at']);
  });
  await touchUpdatedAt(knex, `${TASK}.task_concurrency_leases`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
