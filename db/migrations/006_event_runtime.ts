/**
 * The event store and delivery pipeline: event_instances (documented "events" columns, monthly
 * range partitions), event_instance_keys (idempotency on event_id across partitions),
 * event_sequences, event_queue_state and dead_letter_queue.
 */
import type { Knex } from 'knex';
import { foreignKey, idColumn, statusColumn, timestamps, touchUpdatedAt } from './helpers';

const EV = 'event_processing_service';
const WF = 'workflow_orchestrator_service';

// Columns as documented for the "events" table, plus updated_at (convention), the definition it was
// validated against, and its place in an ordered sequence. timestamp/created_at are timestamptz(6).
const EVENT_INSTANCES = `
CREATE TABLE ${EV}.event_instances (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  event_id varchar(255) NOT NULL,
  pattern varchar(255) NOT NULL,
  version varchar(50),
  source jsonb,
  "timestamp" timestamptz(6) NOT NULL DEFAULT now(),
  payload jsonb NOT NULL DEFAULT '{}',
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  partition_key varchar(255),
  updated_at timestamptz(6) NOT NULL DEFAULT now(),
  event_definition_id uuid REFERENCES ${EV}.event_definitions (id) ON DELETE SET NULL,
  sequence_key varchar(512),
  sequence_number bigint,
  PRIMARY KEY (id, created_at),
  UNIQUE (event_id, created_at)
) PARTITION BY RANGE (created_at)`;

/** Creates the event runtime tables. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(EVENT_INSTANCES);
  await knex.raw(`CREATE TABLE ${EV}.event_instances_default PARTITION OF ${EV}.event_instances DEFAULT`);
  const idx = (name: string, def: string) =>
    knex.raw(`CREATE INDEX event_instances_${name} ON ${EV}.event_instances ${def}`);
  await idx('pattern_created', '(pattern, created_at)');
  await idx('timestamp', '("timestamp")');
  await idx('created_at_id', '(created_at, id)');
  await idx('definition', '(event_definition_id)');
  await idx('correlation_id', "((metadata->>'correlationId'))");
  await idx('sequence', '(sequence_key, sequence_number)');
  await idx('payload_gin', 'USING gin (payload jsonb_path_ops)');
  await idx('metadata_gin', 'USING gin (metadata jsonb_path_ops)');
  await touchUpdatedAt(knex, `${EV}.event_instances`);
  await knex.raw(`SELECT public.aos_ensure_monthly_partitions('${EV}.event_instances'::regclass, 3, 0)`);

  // A unique index on a partitioned table must contain the partition column, so event_id alone cannot be
  // unique there. This small unpartitioned table holds one row per event: inserting into it first (same
  // transaction) makes ingest idempotent, and its id is the event's id, a target foreign keys can use.
  await knex.schema.withSchema(EV).createTable('event_instance_keys', (t) => {
    t.uuid('id').primary(); // = event_instances.id
    t.string('event_id', 255).notNullable().unique();
    t.timestamp('event_created_at', { useTz: true }).notNullable(); // = event_instances.created_at (partition pruning)
    timestamps(knex, t);
  });
  await touchUpdatedAt(knex, `${EV}.event_instance_keys`);

  await knex.schema.withSchema(EV).createTable('event_sequences', (t) => {
    idColumn(knex, t);
    t.string('sequence_key', 512).notNullable().unique();
    // Gap-free numbering: UPDATE ... SET last_number = last_number + 1 RETURNING, in the ingest transaction.
    t.bigInteger('last_number').notNullable().defaultTo(0);
    t.bigInteger('last_delivered_number').notNullable().defaultTo(0);
    timestamps(knex, t);
  });
  await touchUpdatedAt(knex, `${EV}.event_sequences`);

  await knex.schema.withSchema(EV).createTable('event_queue_state', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'event_instance_id', `${EV}.event_instance_keys`, { onDelete: 'CASCADE' });
    t.string('event_id', 255).notNullable();
    t.string('consumer', 255).notNullable().defaultTo('router'); // 'router' = the event's one delivery pipeline
    statusColumn(t, ['pending', 'delivering', 'delivered', 'failed', 'dead_lettered'], 'pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts');
    t.jsonb('last_error');
    t.timestamp('next_attempt_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    t.string('temporal_workflow_id', 255);
    t.string('sequence_key', 512);
    t.bigInteger('sequence_number');
    timestamps(knex, t);
    t.unique(['event_id', 'consumer']);
    t.unique(['consumer', 'sequence_key', 'sequence_number']);
  });
  // The sweeper's query: deliveries stored but not handed over, or due for retry.
  await knex.raw(
    `CREATE INDEX event_queue_state_due ON ${EV}.event_queue_state (next_attempt_at) WHERE status IN ('pending', 'failed')`,
  );
  await knex.raw(`CREATE INDEX event_queue_state_created ON ${EV}.event_queue_state (created_at, id)`);
  await touchUpdatedAt(knex, `${EV}.event_queue_state`);

  await knex.schema.withSchema(EV).createTable('dead_letter_queue', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'event_instance_id', `${EV}.event_instance_keys`, { nullable: true });
    foreignKey(t, 'event_queue_state_id', `${EV}.event_queue_state`, { nullable: true });
    t.string('event_id', 255).notNullable();
    t.string('consumer', 255).notNullable().defaultTo('router');
    t.jsonb('error').notNullable();
    t.jsonb('context').notNullable().defaultTo('{}'); // the event, the targets, the attempt history
    t.integer('attempts').notNullable().defaultTo(0);
    statusColumn(t, ['open', 'redriven', 'discarded'], 'open');
    t.integer('redrive_count').notNullable().defaultTo(0);
    t.timestamp('redriven_at', { useTz: true });
    t.timestamp('discarded_at', { useTz: true });
    timestamps(knex, t);
    t.index(['event_id']);
    t.index(['created_at', 'id']);
  });
  // At most one open dead letter per (event, consumer): a repeated failure updates it instead of piling up.
  await knex.raw(
    `CREATE UNIQUE INDEX dead_letter_queue_open_unique ON ${EV}.dead_letter_queue (event_id, consumer) WHERE status = 'open'`,
  );
  await touchUpdatedAt(knex, `${EV}.dead_letter_queue`);

  await knex.schema.withSchema(WF).alterTable('workflow_event_subscriptions', (t) => {
    t.foreign('matched_event_instance_id').references('id').inTable(`${EV}.event_instance_keys`).onDelete('SET NULL');
    t.index(['matched_event_instance_id']);
  });
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
