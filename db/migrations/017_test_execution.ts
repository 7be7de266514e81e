/**
 * The testing framework runs tests (#14). Test definitions name their target by business id and optional version
 * (`target_id`, `target_version`; the row-id columns stay, filled when a version is pinned). A test run may cover
 * several test definitions (by tag or by target), so `test_definition_id` becomes optional and the run keeps what it
 * selected, the snapshot it runs (`plan`: test definitions and target versions, so results stay explainable after
 * the definitions change), its coverage and its Temporal workflow. Case results name their test definition, their
 * case run's workflow id, the path taken and the simulated duration, and are written up-front as `pending` so a run's
 * progress is visible while it goes.
 */
import type { Knex } from 'knex';

const TEST = 'testing_framework_service';

/** Replaces a table's CHECK constraint on `column` with one allowing `values`. */
async function widenCheck(knex: Knex, table: string, column: string, values: string[]): Promise<void> {
  const { rows } = await knex.raw<{ rows: Array<{ conname: string }> }>(
    `SELECT c.conname FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
      WHERE c.conrelid = ?::regclass AND c.contype = 'c' AND a.attname = ?`,
    [`${TEST}.${table}`, column],
  );
  for (const { conname } of rows) await knex.raw(`ALTER TABLE ${TEST}.${table} DROP CONSTRAINT "${conname}"`);
  const list = values.map((v) => `'${v}'`).join(', ');
  await knex.raw(`ALTER TABLE ${TEST}.${table} ADD CONSTRAINT ${table}_${column}_check CHECK (${column} IN (${list}))`);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(TEST).alterTable('test_definitions', (t) => {
    t.string('target_id', 255);
    t.string('target_version', 50);
    t.index(['target_type', 'target_id']);
  });
  await knex.raw(`
    UPDATE ${TEST}.test_definitions t
       SET target_id = COALESCE(w.workflow_id, k.task_id), target_version = COALESCE(w.version, k.version)
      FROM ${TEST}.test_definitions d
      LEFT JOIN workflow_orchestrator_service.workflow_definitions w ON w.id = d.workflow_definition_id
      LEFT JOIN task_execution_service.task_definitions k ON k.id = d.task_definition_id
     WHERE d.id = t.id`);

  await knex.schema.withSchema(TEST).alterTable('test_runs', (t) => {
    t.uuid('test_definition_id').nullable().alter();
    t.jsonb('selector').notNullable().defaultTo('{}'); // the TestRunRequest as asked
    t.jsonb('plan').notNullable().defaultTo('{}'); // test definitions, cases and target versions under test
    t.jsonb('coverage'); // TestCoverage, once the run has finished (workflow targets)
    t.string('temporal_workflow_id', 255);
    t.integer('concurrency');
  });

  await knex.schema.withSchema(TEST).alterTable('test_case_results', (t) => {
    t.uuid('test_definition_id').references('id').inTable(`${TEST}.test_definitions`).onDelete('SET NULL');
    t.index(['test_definition_id']);
    t.string('test_id', 255);
    t.specificType('tags', 'text[]').notNullable().defaultTo('{}');
    t.string('temporal_workflow_id', 1000);
    t.jsonb('path'); // step ids in the order they started
    t.jsonb('branches'); // switch branches taken
    t.jsonb('emitted_events');
    t.double('time_scale');
    t.bigInteger('simulated_duration_ms');
    t.integer('position').notNullable().defaultTo(0); // order of the case in the run
    t.index(['temporal_workflow_id']);
  });
  await knex.raw(`ALTER TABLE ${TEST}.test_case_results ALTER COLUMN status SET DEFAULT 'pending'`);
  await widenCheck(knex, 'test_case_results', 'status', ['pending', 'running', 'passed', 'failed', 'error', 'skipped']);
  // A case id is unique per test definition, not per run (a run by tag spans several definitions).
  const { rows } = await knex.raw<{ rows: Array<{ conname: string }> }>(
    `SELECT conname FROM pg_constraint WHERE conrelid = ?::regclass AND contype = 'u'`,
    [`${TEST}.test_case_results`],
  );
  for (const { conname } of rows) await knex.raw(`ALTER TABLE ${TEST}.test_case_results DROP CONSTRAINT "${conname}"`);
  await knex.raw(
    `CREATE UNIQUE INDEX test_case_results_run_definition_case_unique
       ON ${TEST}.test_case_results (test_run_id, test_definition_id, case_id) NULLS NOT DISTINCT`,
  );
  await knex.raw(
    `CREATE INDEX test_case_results_run_position_index ON ${TEST}.test_case_results (test_run_id, position)`,
  );
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
