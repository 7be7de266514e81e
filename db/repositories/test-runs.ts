/**
 * testing_framework_service.test_runs and test_case_results as the test runner uses them: a run and its case rows
 * written together, case rows moving pending -> running -> a result, and the run's summary recounted from its
 * case rows after every change (so progress read through the API is always the rows' truth).
 */
import type { TestCaseStatus, TestRunPlan, TestRunStatus, TestRunSummary } from '../../common/contracts/testing';
import { paginateSelect, type Page, type PageRequest } from './keyset';
import type { Db } from './sql';

const S = 'testing_framework_service';
const RUNS = `${S}.test_runs`;
const CASES = `${S}.test_case_results`;

/** A test run row (the columns the runner reads). */
export interface TestRunRow {
  id: string;
  run_id: string;
  status: TestRunStatus;
  plan: TestRunPlan;
  concurrency: number | null;
  triggered_by: string | null;
  temporal_workflow_id: string | null;
  started_at: Date | null;
}

/** A case result row (the columns the runner reads). */
export interface CaseResultRow {
  id: string;
  test_run_id: string;
  test_definition_id: string | null;
  test_id: string | null;
  case_id: string;
  status: TestCaseStatus;
  position: number;
  temporal_workflow_id: string | null;
  started_at: Date | null;
}

/** A new case row. */
export interface CaseResultInsert {
  test_definition_id: string;
  test_id: string;
  case_id: string;
  name: string | null;
  tags: string[];
  input: unknown;
  expected_output: unknown;
  time_scale: number;
  position: number;
}

/** What a finished case records. */
export interface CaseResultUpdate {
  status: TestCaseStatus;
  actual_output?: unknown;
  error?: unknown;
  assertions?: unknown[];
  path?: string[];
  branches?: string[];
  emitted_events?: unknown[];
  temporal_workflow_id?: string;
  started_at?: Date;
  completed_at?: Date;
  duration_ms?: number;
  simulated_duration_ms?: number;
}

const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));

/** Inserts a run and its case rows (call inside a transaction); answers the run's id. */
export async function insertTestRun(
  db: Db,
  run: {
    run_id: string;
    test_definition_id: string | null;
    test_definition_version: string | null;
    triggered_by: string | null;
    selector: unknown;
    plan: TestRunPlan;
    concurrency: number;
    summary: TestRunSummary;
  },
  cases: CaseResultInsert[],
): Promise<string> {
  const [row] = await db(RUNS)
    .insert({
      ...run,
      selector: json(run.selector),
      plan: json(run.plan),
      summary: json(run.summary),
      status: 'pending',
    })
    .returning<Array<{ id: string }>>('id');
  if (cases.length > 0)
    await db(CASES).insert(
      cases.map((c) => ({
        ...c,
        test_run_id: row.id,
        status: 'pending',
        input: json(c.input) ?? null,
        expected_output: json(c.expected_output) ?? null,
      })),
    );
  return row.id;
}

/** Deletes a run that never started (its workflow could not be started). */
export async function deleteTestRun(db: Db, id: string): Promise<void> {
  await db(RUNS).where({ id }).delete();
}

/** A run, or undefined. */
export async function findTestRun(db: Db, id: string): Promise<TestRunRow | undefined> {
  return db(RUNS).where({ id }).first<TestRunRow | undefined>();
}

/** Sets a run's status (and when it started, ended and its workflow). */
export async function updateTestRun(
  db: Db,
  id: string,
  fields: {
    status?: TestRunStatus;
    started_at?: Date;
    completed_at?: Date;
    duration_ms?: number;
    coverage?: unknown;
    temporal_workflow_id?: string;
  },
): Promise<void> {
  await db(RUNS)
    .where({ id })
    .update({ ...fields, ...(fields.coverage !== undefined && { coverage: json(fields.coverage) }) });
}

/** The case rows of a run, in order. */
export async function listCaseResults(db: Db, testRunId: string): Promise<CaseResultRow[]> {
  return db(CASES)
    .where({ test_run_id: testRunId })
    .orderBy([{ column: 'position' }, { column: 'id' }]);
}

/** One case row, or undefined. */
export async function findCaseResult(db: Db, id: string): Promise<CaseResultRow | undefined> {
  return db(CASES).where({ id }).first<CaseResultRow | undefined>();
}

/** The trails (path and branches) of a run's finished workflow cases, for coverage. */
export async function caseTrails(
  db: Db,
  testRunId: string,
): Promise<Array<{ test_definition_id: string | null; path: string[] | null; branches: string[] | null }>> {
  return db(CASES)
    .where({ test_run_id: testRunId })
    .whereNotNull('path')
    .select('test_definition_id', 'path', 'branches');
}

/**
 * Updates a case row. With `onlyFrom`, only while the row is in one of those statuses (a late result of a case the
 * run already skipped, or a retried activity, changes nothing); answers whether it changed the row.
 */
export async function updateCaseResult(
  db: Db,
  id: string,
  fields: CaseResultUpdate,
  onlyFrom?: TestCaseStatus[],
): Promise<boolean> {
  const query = db(CASES)
    .where({ id })
    .update({
      ...fields,
      actual_output: json(fields.actual_output),
      error: json(fields.error),
      assertions: json(fields.assertions),
      path: json(fields.path),
      branches: json(fields.branches),
      emitted_events: json(fields.emitted_events),
    });
  if (onlyFrom) void query.whereIn('status', onlyFrom);
  return (await query) > 0;
}

/** Marks every unfinished case of a run `skipped`. */
export async function skipUnfinishedCases(db: Db, testRunId: string, at: Date): Promise<void> {
  await db(CASES)
    .where({ test_run_id: testRunId })
    .whereIn('status', ['pending', 'running'])
    .update({ status: 'skipped', completed_at: at });
}

/** Recounts a run's summary from its case rows; answers it. */
export async function refreshSummary(db: Db, testRunId: string): Promise<TestRunSummary> {
  const rows = await db(CASES)
    .where({ test_run_id: testRunId })
    .groupBy('status')
    .select<Array<{ status: TestCaseStatus; n: string }>>('status', db.raw('count(*) AS n'));
  const summary: TestRunSummary = { total: 0, pending: 0, running: 0, passed: 0, failed: 0, error: 0, skipped: 0 };
  for (const { status, n } of rows) {
    summary[status] = Number(n);
    summary.total += Number(n);
  }
  await db(RUNS)
    .where({ id: testRunId })
    .update({ summary: JSON.stringify(summary) });
  return summary;
}

/** A test definition row as a test run selects it. */
export interface TestDefinitionRow {
  id: string;
  test_id: string;
  version: string;
  status: 'draft' | 'active' | 'deprecated';
  target_type: 'workflow' | 'task';
  target_id: string | null;
  target_version: string | null;
  test_cases: unknown;
  settings: unknown;
}

const DEFINITIONS = `${S}.test_definitions`;
const DEFINITION_COLUMNS = [
  'id',
  'test_id',
  'version',
  'status',
  'target_type',
  'target_id',
  'target_version',
  'test_cases',
  'settings',
];

/** Test definition rows: by row id, by business id, by target, or every one (all versions; callers pick). */
export async function findTestDefinitionRows(
  db: Db,
  filter: { id?: string; testId?: string; target?: { type: string; id: string } },
): Promise<TestDefinitionRow[]> {
  const query = db(DEFINITIONS).select(DEFINITION_COLUMNS);
  if (filter.id) void query.where({ id: filter.id });
  if (filter.testId) void query.where({ test_id: filter.testId });
  if (filter.target) void query.where({ target_type: filter.target.type, target_id: filter.target.id });
  return query.orderBy([{ column: 'test_id' }, { column: 'created_at' }]);
}

/** A run as the API shows it: the plan's test definitions and targets summarised, not the whole snapshot. */
function runViewColumns(db: Db) {
  return [
    'id',
    'run_id',
    'status',
    'test_definition_id',
    'test_definition_version',
    'triggered_by',
    'selector',
    'summary',
    'coverage',
    'concurrency',
    'temporal_workflow_id',
    'started_at',
    'completed_at',
    'duration_ms',
    'created_at',
    'updated_at',
    db.raw(
      `COALESCE((SELECT jsonb_agg(jsonb_build_object('id', d->'id', 'test_id', d->'test_id', 'version', d->'version',
         'target', d->'target', 'cases', jsonb_array_length(d->'cases'))) FROM jsonb_array_elements(plan->'definitions') d), '[]')
         AS test_definitions`,
    ),
    db.raw(
      `COALESCE((SELECT jsonb_agg(jsonb_build_object('key', k, 'type', t->'type', 'id', t->'id', 'version', t->'version'))
         FROM jsonb_each(plan->'targets') AS e(k, t)), '[]') AS targets`,
    ),
  ];
}

/** A page of runs, newest first. */
export function listTestRunViews(
  db: Db,
  filter: { status?: string; testDefinitionId?: string },
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const query = db(RUNS).select(runViewColumns(db));
  if (filter.status) void query.where({ status: filter.status });
  if (filter.testDefinitionId) void query.where({ test_definition_id: filter.testDefinitionId });
  return paginateSelect(query, page);
}

/** One run as the API shows it, or undefined. */
export async function findTestRunView(db: Db, id: string): Promise<Record<string, unknown> | undefined> {
  return db(RUNS).select(runViewColumns(db)).where({ id }).first();
}

/** A run's case results in run order, after position `after`. */
export async function listCaseResultViews(
  db: Db,
  testRunId: string,
  filter: { status?: string },
  page: { limit: number; after?: number },
): Promise<Array<Record<string, unknown>>> {
  const query = db(CASES).where({ test_run_id: testRunId }).select('*');
  if (filter.status) void query.where({ status: filter.status });
  if (page.after !== undefined) void query.where('position', '>', page.after);
  return query.orderBy('position').limit(page.limit);
}

/** One case result of a run, or undefined. */
export async function findCaseResultView(
  db: Db,
  testRunId: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  return db(CASES).where({ test_run_id: testRunId, id }).first();
}
