/**
 * The example definitions of `npm run seed` come with test definitions that pass (#14): a fresh database (this
 * file's own copy) is seeded, then every seeded test definition runs through the real test runner (the
 * production interpreter on the test task queue, mocked tasks, the compressed clock) and every case must pass,
 * every expectation with it; the cases reach every step and branch of their workflows. Seeding again changes
 * none of the test definitions.
 */
import { seed } from '../../db/seeds';
import { TEST_DEFINITIONS } from '../../db/seeds/examples';
import { prepareTestDefinition } from '../../services/definitions/test-definitions';
import { awaitTestRun, startTestRun, type TestRunDeps } from '../../services/testing/test-runs';
import { startRunHarness, type RunHarness } from '../engine-runs/harness';

jest.setTimeout(180_000);

const TABLE = 'testing_framework_service.test_definitions';
const HISTORY = 'testing_framework_service.test_definition_history';

let h: RunHarness;
let deps: TestRunDeps;
let seeded: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  h = await startRunHarness({ testRunner: true });
  deps = { db: h.db, temporal: h.client, config: h.config };
  seeded = await seed(h.db);
});

afterAll(async () => {
  await h?.close();
});

interface ResultRow {
  id: string;
  case_id: string;
  status: string;
  assertions: Array<{ passed: boolean }>;
  temporal_workflow_id: string;
}

/** Runs the active seeded test definition `testId` to its end; answers the run row and its case results. */
async function runSeeded(testId: string) {
  const row = await h.db(TABLE).where({ test_id: testId, status: 'active' }).first('id');
  const runId = await startTestRun(deps, { test_definition_id: row.id }, 'seed-test');
  const outcome = await awaitTestRun(deps, runId, 150_000);
  if (!outcome) throw new Error(`test run of ${testId} did not end in time`);
  const run = await h.db('testing_framework_service.test_runs').where({ id: runId }).first();
  const results: ResultRow[] = await h
    .db('testing_framework_service.test_case_results')
    .where({ test_run_id: runId })
    .orderBy('position');
  return { outcome, run, results };
}

describe('the seeded test definitions', () => {
  it('are seeded active, each pinned to the seeded target version; a second seed changes none of them', async () => {
    const first = seeded;
    expect(first.tests).toEqual(TEST_DEFINITIONS.map((t) => `${t.test_id}@${t.version}`));
    const rows = () =>
      h
        .db(TABLE)
        .whereIn(
          'test_id',
          TEST_DEFINITIONS.map((t) => t.test_id),
        )
        .orderBy('test_id')
        .select('id', 'test_id', 'version', 'status', 'target_id', 'target_version', 'test_cases', 'settings');
    const before = await rows();
    expect(before).toHaveLength(TEST_DEFINITIONS.length);
    for (const row of before) expect(row).toMatchObject({ status: 'active', target_version: '1.0.0' });
    const expense = before.find((r) => r.test_id === 'expense-approval-tests');
    const workflow = await h
      .db('workflow_orchestrator_service.workflow_definitions')
      .where({ workflow_id: 'expense-approval', version: '1.0.0' })
      .first('id');
    expect(await h.db(TABLE).where({ id: expense.id }).first('workflow_definition_id')).toEqual({
      workflow_definition_id: workflow.id,
    });

    expect(await seed(h.db)).toEqual(first);
    expect(await rows()).toEqual(before);
    const [{ n }] = await h.db(HISTORY).count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it('are valid as the API checks a test definition (schema, semantics, references into the target)', async () => {
    for (const test of TEST_DEFINITIONS) {
      const { errors } = await prepareTestDefinition(h.db, { ...test, status: 'active' });
      expect({ test: test.test_id, errors }).toEqual({ test: test.test_id, errors: [] });
    }
  });

  it.each(TEST_DEFINITIONS.map((t) => [t.test_id, t.test_cases.length] as const))(
    '%s: all %i cases pass through the real test runner',
    async (testId, cases) => {
      const { outcome, run, results } = await runSeeded(testId);
      const failures = results.map((r) => ({
        case: r.case_id,
        status: r.status,
        failed: r.assertions.filter((a) => !a.passed),
      }));
      expect(failures).toEqual(results.map((r) => ({ case: r.case_id, status: 'passed', failed: [] })));
      expect(results).toHaveLength(cases);
      expect(outcome.status).toBe('passed');
      expect(run.summary).toMatchObject({ total: cases, passed: cases });
      // The workflow cases reach every step and every switch branch of their target.
      for (const coverage of run.coverage ?? []) {
        expect(coverage.steps.unreached).toEqual([]);
        expect(coverage.branches.unreached).toEqual([]);
      }
      if (testId !== 'order-total-tests') expect(run.coverage).toHaveLength(1);
    },
  );

  it('the escalation case waits out the 4-hour escalation on the compressed clock', async () => {
    const { results } = await runSeeded('expense-approval-tests');
    const escalated = results.find((r) => r.case_id === 'escalated')!;
    expect(escalated.status).toBe('passed');
    const row = await h.db('testing_framework_service.test_case_results').where({ id: escalated.id }).first();
    // Five simulated hours, a few real seconds.
    expect(Number(row.simulated_duration_ms)).toBeGreaterThanOrEqual(5 * 3_600_000);
    expect(row.duration_ms).toBeLessThan(20_000);
    // The run's history has the escalation: the task reassigned to the finance-managers role.
    const history = await h.client.workflow.getHandle(escalated.temporal_workflow_id).fetchHistory();
    const changes = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'recordHumanTask')
      .map((a) => {
        const payload = a!.input!.payloads![0];
        return JSON.parse(Buffer.from(payload.data!).toString()) as { kind: string; assignment?: unknown };
      });
    expect(changes.map((c) => c.kind)).toContain('escalated');
    expect(changes.find((c) => c.kind === 'escalated')?.assignment).toMatchObject({
      candidateRoles: ['finance-managers'],
    });
  });
});
