/**
 * Starting, cancelling and awaiting test runs (#14, docs/testing.md). A test run is fixed when it starts: the
 * test definition versions it selected, the cases, and the exact target snapshots (the `plan`), written with one
 * `pending` result row per case; then `testRunWorkflow` runs the cases on the test task queue
 * (activities/testing/) and keeps the rows and the run's summary current.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import {
  targetKey,
  testRunWorkflowId,
  TEST_RUN_WORKFLOW_TYPE,
  type PlannedDefinition,
  type PlannedTarget,
  type TestCase,
  type TestRunOutcome,
  type TestRunPlan,
  type TestRunRequest,
  type TestSettings,
  type TestTargetType,
} from '../../common/contracts/testing';
import type { Config } from '../../common/config';
import type { WorkflowDefinition } from '../../common/definitions/types';
import { AppError, type FieldError } from '../../common/errors';
import type { Knex } from 'knex';
import { taskDefinitions } from '../../db/repositories/task-definitions';
import {
  deleteTestRun,
  findCaseResultView,
  findTestDefinitionRows,
  findTestRun,
  findTestRunView,
  listCaseResultViews,
  listTestRunViews,
  insertTestRun,
  type CaseResultInsert,
  type TestDefinitionRow,
} from '../../db/repositories/test-runs';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';
import { listEnabledTriggersOfWorkflow } from '../../db/repositories/workflow-event-triggers';
import { highest } from '../definitions/semver';
import { resolveTasks } from '../definitions/resolve';
import { toTaskSnapshot } from '../definitions/task-definitions';

/** What the test run services need. */
export interface TestRunDeps {
  db: Knex;
  temporal: Client;
  config: Pick<Config, 'testTaskQueue'>;
}

/** Defaults of the format (docs/testing.md). */
export const TEST_DEFAULTS = { concurrency: 4, maxConcurrency: 16, timeScale: 1000, caseTimeoutMs: 60_000 } as const;

/** The version a selector means by a test id: the highest active one, else the highest of any status. */
function currentVersion(rows: TestDefinitionRow[]): TestDefinitionRow | undefined {
  return highest(rows.filter((r) => r.status === 'active')) ?? highest(rows);
}

/** Current versions of every test definition among `rows` (one per test id). */
function currentVersions(rows: TestDefinitionRow[]): TestDefinitionRow[] {
  const byId = new Map<string, TestDefinitionRow[]>();
  for (const r of rows) byId.set(r.test_id, [...(byId.get(r.test_id) ?? []), r]);
  return [...byId.values()].map((versions) => currentVersion(versions) as TestDefinitionRow);
}

/**
 * Internal options of a test run, never taken from an API body. `gating`: keep only the selected test definitions
 * whose settings say `gate_activation: true` (the activation gate, services/testing/activation-gate.ts).
 */
export interface TestRunOptions {
  gating?: boolean;
}

/** The current, non-deprecated test definition versions of a target (one per test id). */
async function targetDefinitions(db: Knex, target: { type: TestTargetType; id: string }): Promise<TestDefinitionRow[]> {
  const all = await findTestDefinitionRows(db, { target });
  return currentVersions(all.filter((r) => r.status !== 'deprecated'));
}

/** The test definition versions a request selects (deprecated versions are never selected by id, tag or target). */
async function selectDefinitions(db: Knex, req: TestRunRequest): Promise<TestDefinitionRow[]> {
  if (req.test_definition_id) {
    const rows = await findTestDefinitionRows(db, { id: req.test_definition_id });
    if (rows.length === 0) throw AppError.notFound(`test definition ${req.test_definition_id} not found`);
    return rows;
  }
  if (req.test_id) {
    const row = currentVersion(await findTestDefinitionRows(db, { testId: req.test_id }));
    if (!row) throw AppError.notFound(`test definition ${req.test_id} not found`);
    return [row];
  }
  if (req.target) return targetDefinitions(db, req.target);
  const all = await findTestDefinitionRows(db, {});
  return currentVersions(all.filter((r) => r.status !== 'deprecated'));
}

const casesOf = (row: TestDefinitionRow): TestCase[] =>
  Array.isArray(row.test_cases) ? (row.test_cases as TestCase[]) : [];
const settingsOf = (row: TestDefinitionRow): TestSettings => (row.settings ?? {}) as TestSettings;

const gatesActivation = (row: TestDefinitionRow): boolean => settingsOf(row).gate_activation === true;

/**
 * The test definitions that gate the activation of a workflow's versions: the current, non-deprecated version of
 * each test id targeting the workflow whose settings say `gate_activation: true` and that has a case.
 */
export async function gatingDefinitions(db: Knex, workflowId: string): Promise<TestDefinitionRow[]> {
  const rows = await targetDefinitions(db, { type: 'workflow', id: workflowId });
  return rows.filter((r) => gatesActivation(r) && casesOf(r).length > 0);
}

/** Resolves a target: a pinned version of any status (drafts can be tested), else the highest active, else the highest. */
async function resolveTarget(
  db: Knex,
  type: TestTargetType,
  id: string,
  version?: string | null,
): Promise<PlannedTarget> {
  if (type === 'workflow') {
    const versions = version ? [] : await workflowDefinitions.listVersions(db, id);
    const row = version
      ? await workflowDefinitions.getVersion(db, id, version)
      : (highest(versions.filter((r) => r.status === 'active')) ?? highest(versions));
    if (!row) throw new Error(`workflow definition ${id}${version ? `@${version}` : ''} does not exist`);
    const definition = row.definition as unknown as WorkflowDefinition;
    let tasks;
    try {
      tasks = await resolveTasks(db, definition);
    } catch (err) {
      const fields = err instanceof AppError ? err.errors.map((f) => `${f.pointer}: ${f.message}`).join('; ') : '';
      throw new Error(`workflow definition ${id}@${row.version} cannot run: ${fields || (err as Error).message}`);
    }
    const triggers = (await listEnabledTriggersOfWorkflow(db, id)).map((t) => ({
      trigger_id: t.trigger_id,
      trigger_type: t.trigger_type,
      event_pattern: t.event_pattern,
      event_condition: t.event_condition,
      correlation_key: t.correlation_key,
      input_mapping: t.input_mapping,
      priority: t.priority,
    }));
    return { type, id, version: row.version, definitionRowId: row.id, definition, tasks, triggers };
  }
  const versions = version ? [] : await taskDefinitions.listVersions(db, id);
  const row = version
    ? await taskDefinitions.getVersion(db, id, version)
    : (highest(versions.filter((r) => r.status === 'active')) ?? highest(versions));
  if (!row) throw new Error(`task definition ${id}${version ? `@${version}` : ''} does not exist`);
  return { type, id, version: row.version, task: toTaskSnapshot(row) };
}

/** The plan of a request and its case rows; 422 when it selects nothing or a target cannot be resolved. */
export async function planTestRun(
  db: Knex,
  req: TestRunRequest,
  options: TestRunOptions = {},
): Promise<{ plan: TestRunPlan; cases: CaseResultInsert[]; rows: TestDefinitionRow[] }> {
  const chosen = await selectDefinitions(db, req);
  const rows = options.gating ? chosen.filter(gatesActivation) : chosen;
  const plan: TestRunPlan = { definitions: [], targets: {} };
  const cases: CaseResultInsert[] = [];
  const problems: FieldError[] = [];
  for (const row of rows) {
    const selected = casesOf(row).filter((c) => !req.tag || (c.tags ?? []).includes(req.tag));
    if (selected.length === 0) continue;
    if (!row.target_id) {
      problems.push({ pointer: '/body', message: `test definition ${row.test_id}@${row.version} has no target_id` });
      continue;
    }
    const version = req.target?.version ?? row.target_version;
    let target: PlannedTarget;
    try {
      target = await resolveTarget(db, row.target_type, row.target_id, version);
    } catch (err) {
      problems.push({
        pointer: '/body',
        message: `test definition ${row.test_id}@${row.version}: ${(err as Error).message}`,
      });
      continue;
    }
    const key = targetKey(target.type, target.id, target.version);
    plan.targets[key] = target;
    const settings = settingsOf(row);
    const planned: PlannedDefinition = {
      id: row.id,
      test_id: row.test_id,
      version: row.version,
      target: key,
      settings,
      cases: selected,
    };
    plan.definitions.push(planned);
    for (const c of selected)
      cases.push({
        test_definition_id: row.id,
        test_id: row.test_id,
        case_id: c.case_id,
        name: c.name ?? null,
        tags: c.tags ?? [],
        input: c.input ?? null,
        expected_output: c.expect && 'output' in c.expect ? c.expect.output : null,
        time_scale: c.time_scale ?? settings.time_scale ?? TEST_DEFAULTS.timeScale,
        position: cases.length,
      });
  }
  if (problems.length > 0) throw AppError.unprocessable('The test run cannot start', problems);
  if (cases.length === 0)
    throw AppError.unprocessable('The test run selects no test case', [
      { pointer: '/body', message: 'selects no test case' },
    ]);
  return { plan, cases, rows };
}

/**
 * Starts a test run; answers its row id. Nothing is left behind when its workflow cannot start. A gating run
 * records `gating: true` in its selector.
 */
export async function startTestRun(
  deps: TestRunDeps,
  req: TestRunRequest,
  actor?: string,
  options: TestRunOptions = {},
): Promise<string> {
  const { plan, cases, rows } = await planTestRun(deps.db, req, options);
  const settingsConcurrency = Math.max(
    ...plan.definitions.map((d) => d.settings.concurrency ?? TEST_DEFAULTS.concurrency),
  );
  const concurrency = Math.min(req.concurrency ?? settingsConcurrency, TEST_DEFAULTS.maxConcurrency);
  const single = rows.length === 1 ? rows[0] : undefined;
  const id = await deps.db.transaction((trx) =>
    insertTestRun(
      trx,
      {
        run_id: randomUUID(),
        test_definition_id: single?.id ?? null,
        test_definition_version: single?.version ?? null,
        triggered_by: actor ?? null,
        selector: options.gating ? { ...req, gating: true } : req,
        plan,
        concurrency,
        summary: { total: cases.length, pending: cases.length, running: 0, passed: 0, failed: 0, error: 0, skipped: 0 },
      },
      cases,
    ),
  );
  try {
    await deps.temporal.workflow.start(TEST_RUN_WORKFLOW_TYPE, {
      taskQueue: deps.config.testTaskQueue,
      workflowId: testRunWorkflowId(id),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [{ testRunId: id }],
      staticSummary: `test run: ${plan.definitions.map((d) => `${d.test_id}@${d.version}`).join(', ')}`.slice(0, 200),
    });
  } catch (err) {
    await deleteTestRun(deps.db, id);
    throw err;
  }
  return id;
}

/** Cancels a running test run (its cases' runs are cancelled, unfinished cases end `skipped`); 409 once it ended. */
export async function cancelTestRun(deps: TestRunDeps, id: string): Promise<void> {
  const run = await findTestRun(deps.db, id);
  if (!run) throw AppError.notFound(`test run ${id} not found`);
  if (!['pending', 'running'].includes(run.status)) throw AppError.conflict(`test run ${id} has ended (${run.status})`);
  await deps.temporal.workflow.getHandle(testRunWorkflowId(id)).cancel();
}

/**
 * Waits for a test run to end (at most `timeoutMs`); answers its outcome, or undefined when still running. The
 * wait's long polls are aborted past the bound, so none outlives it (nor the client's connection).
 */
export async function awaitTestRun(
  deps: TestRunDeps,
  id: string,
  timeoutMs: number,
): Promise<TestRunOutcome | undefined> {
  const abort = new AbortController();
  const handle = deps.temporal.workflow.getHandle(testRunWorkflowId(id));
  const result = deps.temporal.withAbortSignal(abort.signal, () => handle.result() as Promise<TestRunOutcome>);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
    abort.abort();
    result.catch(() => undefined); // the aborted poll's rejection is expected
  }
}

/** A test run as the API shows it; 404 when missing. */
export async function getTestRun(db: Knex, id: string): Promise<Record<string, unknown>> {
  const run = await findTestRunView(db, id);
  if (!run) throw AppError.notFound(`test run ${id} not found`);
  return run;
}

/** A page of test runs, newest first. */
export function listTestRuns(
  db: Knex,
  filter: { status?: string; testDefinitionId?: string },
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  return listTestRunViews(db, filter, page);
}

/** A page of a run's case results in run order; the cursor is the last position seen. */
export async function listTestCaseResults(
  db: Knex,
  testRunId: string,
  filter: { status?: string },
  page: { limit?: number; cursor?: string | null },
): Promise<{ items: Array<Record<string, unknown>>; next_cursor: string | null }> {
  await getTestRun(db, testRunId);
  let after: number | undefined;
  if (page.cursor) {
    after = Number(page.cursor);
    if (!Number.isSafeInteger(after) || after < 0)
      throw AppError.badRequest('The cursor is malformed', [
        { pointer: '/query/cursor', message: 'is not a cursor of this list' },
      ]);
  }
  const limit = Math.min(Math.max(page.limit ?? 100, 1), 1000);
  const rows = await listCaseResultViews(db, testRunId, filter, { limit: limit + 1, after });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? String(last.position) : null };
}

/** One case result; 404 when it is not one of the run's. */
export async function getTestCaseResult(db: Knex, testRunId: string, id: string): Promise<Record<string, unknown>> {
  const row = await findCaseResultView(db, testRunId, id);
  if (!row) throw AppError.notFound(`test case result ${id} of test run ${testRunId} not found`);
  return row;
}
