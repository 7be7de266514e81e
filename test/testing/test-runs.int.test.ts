/**
 * The testing framework on the real Temporal dev server and PostgreSQL (#14): test definitions run as real
 * interpreter runs on the test task queue with mocked tasks, on a compressed clock, with results, coverage and
 * cancellation. Test definitions are written straight into their table here (their validation is tested in
 * test-definitions.int.test.ts); runs are started and awaited through the service the API calls.
 */
import type { Knex } from 'knex';
import type { TestCase, TestRunOutcome, TestSettings } from '../../common/contracts/testing';
import { awaitTestRun, cancelTestRun, startTestRun, type TestRunDeps } from '../../services/testing/test-runs';
import { insertTrigger } from '../../db/repositories/workflow-event-triggers';
import { createEventDefinition } from '../../services/definitions';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from '../engine-runs/harness';

jest.setTimeout(120_000);

let h: RunHarness;
let deps: TestRunDeps;
const suffix = Math.random().toString(36).slice(2, 8);
const id = (name: string) => `${name}-${suffix}`;
const ORDER = id('order-flow');
const FANOUT = id('fanout');
const APPROVAL = id('approval');
const FORM = id('approval-form');

beforeAll(async () => {
  h = await startRunHarness({ testRunner: true });
  deps = { db: h.db, temporal: h.client, config: h.config };
  // Real transform tasks: a case that runs unmocked would compute; mocks stand in for them otherwise.
  for (const task of ['price', 'charge', 'ship'])
    await activeTask(h.db, {
      task_id: id(task),
      name: task,
      type: 'transform',
      config: { expression: '{ "echo": $ }' },
    });
  await activeWorkflow(h.db, {
    workflow_id: ORDER,
    timeout: 'P30D',
    steps: [
      { id: 'price', type: 'task', task: id('price'), input: '{% $input %}' },
      {
        id: 'route',
        type: 'switch',
        cases: [
          { when: '{% $steps.price.output.total > 1000 %}', next: 'review' },
          { when: '{% $steps.price.output.total = 0 %}', next: 'free' },
        ],
        default: 'charge',
      },
      {
        id: 'review',
        type: 'wait_for_event',
        event: 'order.reviewed',
        correlation: '{% $input.id %}',
        timeout: 'P3D',
        on_timeout: 'expired',
        next: 'charge',
      },
      {
        id: 'charge',
        type: 'task',
        task: id('charge'),
        input: { amount: '{% $steps.price.output.total %}' },
        retry: { max_attempts: 3, initial_interval: '10s', backoff_coefficient: 2 },
        catch: [{ errors: ['CardDeclined'], next: 'declined', into: 'decline' }],
        next: 'notify',
      },
      { id: 'notify', type: 'emit_event', event: 'order.charged', payload: { id: '{% $input.id %}' }, next: 'done' },
      { id: 'done', type: 'succeed', output: { status: 'charged', receipt: '{% $steps.charge.output.receipt %}' } },
      { id: 'declined', type: 'succeed', output: { status: 'declined', reason: '{% $vars.decline.message %}' } },
      { id: 'expired', type: 'succeed', output: { status: 'expired' } },
      { id: 'free', type: 'succeed', output: { status: 'free' } },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: FANOUT,
    steps: [
      {
        id: 'each',
        type: 'foreach',
        items: '{% $input.items %}',
        concurrency: 2,
        steps: [{ id: 'ship', type: 'task', task: id('ship'), input: { sku: '{% $item %}' } }],
      },
      {
        id: 'both',
        type: 'parallel',
        branches: [
          { id: 'left', steps: [{ id: 'l1', type: 'task', task: id('charge'), input: { side: 'left' } }] },
          { id: 'right', steps: [{ id: 'r1', type: 'delay', duration: 'PT2H' }] },
        ],
      },
    ],
  } as never);
  await h.db('web_application_service.ui_components').insert({
    component_id: FORM,
    version: '1.0.0',
    name: 'Approval',
    status: 'active',
    component_type: 'form',
    form_schema: JSON.stringify({ type: 'object', properties: { note: { type: 'string', minLength: 3 } } }),
    layout: JSON.stringify({}),
    actions: JSON.stringify([
      { id: 'approve', label: 'Approve' },
      { id: 'reject', label: 'Reject', requires: ['note'] },
    ]),
  });
  await activeWorkflow(h.db, {
    workflow_id: APPROVAL,
    steps: [
      {
        id: 'approve',
        type: 'human_task',
        form: { component_id: FORM },
        title: 'Approve {% $input.id %}',
        candidate_users: ['alice', 'bob'],
        approvals: { required: 2 },
        due: 'P1D',
        escalations: [{ after: 'P2D', goto: 'too-late' }],
      },
      { id: 'ok', type: 'succeed', output: { decision: '{% $steps.approve.output.action %}' } },
      { id: 'too-late', type: 'succeed', output: { decision: 'escalated' } },
    ],
  } as never);
});

afterAll(async () => {
  await h?.close();
});

let testDefinitions = 0;

/** Writes an active test definition of `target` (a workflow) with `cases`; answers its row id. */
async function testDefinition(target: string, cases: TestCase[], settings: TestSettings = {}): Promise<string> {
  testDefinitions += 1;
  const [row] = await h
    .db('testing_framework_service.test_definitions')
    .insert({
      test_id: id(`tests-${testDefinitions}`),
      version: '1.0.0',
      name: `tests ${testDefinitions}`,
      status: 'active',
      target_type: 'workflow',
      target_id: target,
      test_cases: JSON.stringify(cases),
      settings: JSON.stringify(settings),
    })
    .returning<Array<{ id: string }>>('id');
  return row.id;
}

async function run(testDefinitionId: string): Promise<{ outcome: TestRunOutcome; id: string }> {
  const runId = await startTestRun(deps, { test_definition_id: testDefinitionId }, 'tester');
  const outcome = await awaitTestRun(deps, runId, 90_000);
  if (!outcome) throw new Error('test run did not end in time');
  return { outcome, id: runId };
}

async function results(db: Knex, testRunId: string) {
  return db('testing_framework_service.test_case_results').where({ test_run_id: testRunId }).orderBy('position');
}

const price = (total: number) => ({ step: 'price', output: { total } });

describe('test runs', () => {
  test('a passing case: mocked tasks, the path, the emitted event, the output', async () => {
    const def = await testDefinition(ORDER, [
      {
        case_id: 'small-order',
        input: { id: 'o-1' },
        mocks: [price(50), { step: 'charge', output: { receipt: 'r-1' } }],
        expect: {
          output: { status: 'charged', receipt: 'r-1' },
          path: ['price', 'route', 'charge', 'notify', 'done'],
          steps: { route: { next: 'charge' } },
          events: [{ event: 'order.charged', payload: { id: 'o-1' } }],
          assert: '$output.status = "charged" and $count($path) = 5',
        },
      },
    ]);
    const { outcome, id: runId } = await run(def);
    const [r] = await results(h.db, runId);
    expect(r.assertions.filter((a: { passed: boolean }) => !a.passed)).toEqual([]);
    expect(outcome.status).toBe('passed');
    expect(r.status).toBe('passed');
    expect(r.path).toEqual(['price', 'route', 'charge', 'notify', 'done']);
    expect(r.emitted_events).toEqual([{ event: 'order.charged', payload: { id: 'o-1' } }]);
    expect(r.temporal_workflow_id).toBe(`aos-test-case.${r.id}`);
    // No side effects: no instance row, no task row, no stored event.
    const instances = await h
      .db('workflow_orchestrator_service.workflow_instances')
      .where('temporal_workflow_id', 'like', 'aos-test-case.%')
      .count<[{ count: string }]>();
    expect(Number(instances[0].count)).toBe(0);
    const events = await h
      .db('event_processing_service.event_instances')
      .where({ pattern: 'order.charged' })
      .count<[{ count: string }]>();
    expect(Number(events[0].count)).toBe(0);
  });

  test('a failing case names the field with expected and actual', async () => {
    const def = await testDefinition(ORDER, [
      {
        case_id: 'wrong-receipt',
        input: { id: 'o-2' },
        mocks: [price(50), { step: 'charge', output: { receipt: 'r-actual' } }],
        expect: { output: { status: 'charged', receipt: 'r-expected' } },
      },
    ]);
    const { outcome, id: runId } = await run(def);
    expect(outcome.status).toBe('failed');
    const [r] = await results(h.db, runId);
    expect(r.status).toBe('failed');
    const failed = r.assertions.filter((a: { passed: boolean }) => !a.passed);
    expect(failed).toEqual([
      expect.objectContaining({
        expectation: 'output',
        pointer: '/output/receipt',
        expected: 'r-expected',
        actual: 'r-actual',
      }),
    ]);
  });

  test('a mock that fails twice then succeeds, under the retry policy (intervals on the compressed clock)', async () => {
    const def = await testDefinition(ORDER, [
      {
        case_id: 'flaky-charge',
        input: { id: 'o-3' },
        mocks: [
          price(50),
          {
            step: 'charge',
            attempts: [
              { error: { type: 'GatewayDown', message: 'try later' } },
              { error: { type: 'GatewayDown', message: 'try later' } },
              { output: { receipt: 'third-time' } },
            ],
          },
        ],
        expect: { output_contains: { receipt: 'third-time' } },
      },
    ]);
    const { id: runId } = await run(def);
    const [r] = await results(h.db, runId);
    expect(r.status).toBe('passed');
    // Three attempts of the charge activity in the case run's history.
    const history = await h.client.workflow.getHandle(r.temporal_workflow_id).fetchHistory();
    const attempts = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes?.attempt)
      .filter((a): a is number => typeof a === 'number');
    expect(Math.max(...attempts)).toBe(3);
  });

  test('a mocked error is caught by catch', async () => {
    const def = await testDefinition(ORDER, [
      {
        case_id: 'declined',
        input: { id: 'o-4' },
        mocks: [price(50), { step: 'charge', error: { type: 'CardDeclined', message: 'insufficient funds' } }],
        expect: {
          output: { status: 'declined', reason: 'insufficient funds' },
          path_contains: ['charge', 'declined'],
          path_excludes: ['notify'],
        },
      },
    ]);
    const { id: runId } = await run(def);
    const [r] = await results(h.db, runId);
    expect(r.assertions.filter((a: { passed: boolean }) => !a.passed)).toEqual([]);
    expect(r.status).toBe('passed');
  });

  test('an event resumes a wait; a three-day timeout takes seconds; coverage names the unreached branch', async () => {
    const def = await testDefinition(
      ORDER,
      [
        {
          case_id: 'reviewed',
          input: { id: 'o-5' },
          mocks: [price(5000), { step: 'charge', output: { receipt: 'big' } }],
          events: [{ event: 'order.reviewed', correlation: 'o-5', at_step: 'review', payload: { ok: true } }],
          expect: { output: { status: 'charged', receipt: 'big' }, path_contains: ['review', 'charge'] },
        },
        {
          case_id: 'never-reviewed',
          input: { id: 'o-6' },
          time_scale: 100_000,
          mocks: [price(5000)],
          // The 3-day timeout plus slack: at 100000x a simulated day is 0.86 s of real time, and a loaded CI machine
          // spent more than that on the case's own start and mocks (P4D failed at 4.09 days).
          expect: { output: { status: 'expired' }, max_duration: 'P10D' },
        },
      ],
      { concurrency: 2 },
    );
    const started = Date.now();
    const { outcome, id: runId } = await run(def);
    expect(Date.now() - started).toBeLessThan(60_000);
    const rows = await results(h.db, runId);
    for (const r of rows)
      expect({ case: r.case_id, failed: r.assertions.filter((a: { passed: boolean }) => !a.passed) }).toEqual({
        case: r.case_id,
        failed: [],
      });
    expect(outcome.status).toBe('passed');
    const expired = rows.find((r) => r.case_id === 'never-reviewed');
    // Three days of simulated time went by (the wait's timeout), in a few real seconds.
    expect(Number(expired.simulated_duration_ms)).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(expired.duration_ms).toBeLessThan(30_000);
    const run_ = await h.db('testing_framework_service.test_runs').where({ id: runId }).first();
    const [coverage] = run_.coverage;
    expect(coverage.target_id).toBe(ORDER);
    // Steps never reached by the two cases: declined and free (done/notify ran in `reviewed`).
    expect(coverage.steps.unreached.sort()).toEqual(['declined', 'free']);
    expect(coverage.steps.total).toBe(9);
    expect(coverage.steps.percent).toBe(77.8);
    // Branches: case 0 (review) taken by both; case 1 (free) and default (charge) never.
    expect(coverage.branches.unreached.sort()).toEqual(['route#1', 'route#default']);
    expect(coverage.branches.total).toBe(3);
  });

  test('foreach and parallel cases; a task without a mock errors the case', async () => {
    const def = await testDefinition(
      FANOUT,
      [
        {
          case_id: 'fan',
          input: { items: ['a', 'b', 'c'] },
          mocks: [
            { step: 'ship', when: 'input.sku = "b"', output: { shipped: 'B!' } },
            { step: 'ship', output: { shipped: 'other' } },
            { task: id('charge'), output: { charged: true } },
          ],
          expect: {
            output: { left: { charged: true }, right: null },
            steps: { each: [{ shipped: 'other' }, { shipped: 'B!' }, { shipped: 'other' }] },
          },
        },
        { case_id: 'unmocked', input: { items: ['x'] }, expect: { status: 'completed' } },
        {
          case_id: 'real',
          unmocked: 'run',
          input: { items: ['x'] },
          expect: { steps: { each: [{ echo: { sku: 'x' } }] } },
        },
      ],
      { time_scale: 100_000 },
    );
    const { outcome, id: runId } = await run(def);
    const rows = await results(h.db, runId);
    const byCase = Object.fromEntries(rows.map((r) => [r.case_id, r]));
    expect(byCase.fan.assertions.filter((a: { passed: boolean }) => !a.passed)).toEqual([]);
    expect(byCase.fan.status).toBe('passed');
    expect(byCase.fan.path.filter((s: string) => s === 'ship')).toHaveLength(3);
    expect(byCase.unmocked.status).toBe('error');
    expect(byCase.unmocked.error.type).toBe('MockMissing');
    expect(byCase.real.status).toBe('passed');
    expect(outcome.status).toBe('error');
  });

  test('a cancelled test run cancels its running case and skips the rest', async () => {
    const def = await testDefinition(
      ORDER,
      ['a', 'b', 'c'].map((c) => ({
        case_id: `waits-${c}`,
        input: { id: `never-${c}` },
        time_scale: 1,
        mocks: [price(5000)],
      })),
      { concurrency: 1 },
    );
    const runId = await startTestRun(deps, { test_definition_id: def }, 'tester');
    const first = await eventually(async () => {
      const rows = await results(h.db, runId);
      return rows.find((r) => r.status === 'running' && r.temporal_workflow_id);
    });
    await cancelTestRun(deps, runId);
    const outcome = await awaitTestRun(deps, runId, 30_000).catch((err: Error) => err);
    expect(outcome).toBeInstanceOf(Error);
    const row = await eventually(async () => {
      const r = await h.db('testing_framework_service.test_runs').where({ id: runId }).first();
      return r.status === 'cancelled' ? r : undefined;
    });
    expect(row.summary).toMatchObject({ total: 3, skipped: 3, running: 0, pending: 0 });
    const described = await h.client.workflow.getHandle(first.temporal_workflow_id).describe();
    expect(described.status.name).toBe('CANCELLED');
    await expect(cancelTestRun(deps, runId)).rejects.toMatchObject({ status: 409 });
  });

  test('human-task submissions: two approvals complete the task; without them the escalation fires on the compressed clock', async () => {
    const def = await testDefinition(APPROVAL, [
      {
        case_id: 'approved',
        input: { id: 'x-1' },
        human_tasks: [
          { step: 'approve', user: 'alice', action: 'approve', data: { note: 'fine' } },
          { step: 'approve', user: 'bob', action: 'approve', data: { note: 'fine too' } },
        ],
        expect: { output: { decision: 'approve' } },
      },
      { case_id: 'nobody', input: { id: 'x-2' }, time_scale: 100_000, expect: { output: { decision: 'escalated' } } },
      {
        case_id: 'bad-form-data',
        input: { id: 'x-3' },
        time_scale: 100_000,
        human_tasks: [{ step: 'approve', user: 'alice', action: 'reject', data: {} }],
        expect: { output: { decision: 'reject' } },
      },
    ]);
    const { id: runId } = await run(def);
    const byCase = Object.fromEntries((await results(h.db, runId)).map((r) => [r.case_id, r]));
    expect(byCase.approved.status).toBe('passed');
    expect(byCase.nobody.status).toBe('passed');
    // The form refuses a reject without its required note: reported at the submission, and the case fails.
    expect(byCase['bad-form-data'].status).toBe('failed');
    expect(byCase['bad-form-data'].assertions[0]).toMatchObject({
      expectation: 'human_tasks[0]',
      pointer: '/human_tasks/0',
      passed: false,
    });
    expect(byCase['bad-form-data'].assertions[0].message).toContain('/human_tasks/0/data/note');
    // No task rows for the test runs' human tasks.
    const rows = await h
      .db('task_execution_service.task_instances')
      .where({ step_id: 'approve' })
      .count<[{ count: string }]>();
    expect(Number(rows[0].count)).toBe(0);
  });

  test('a task target: the task runs once through its real executor; its output is checked', async () => {
    const [row] = await h
      .db('testing_framework_service.test_definitions')
      .insert({
        test_id: id('task-tests'),
        version: '1.0.0',
        name: 'task tests',
        status: 'active',
        target_type: 'task',
        target_id: id('price'),
        test_cases: JSON.stringify([
          { case_id: 'echo', input: { n: 1 }, expect: { output: { echo: { n: 1 } } } },
          { case_id: 'wrong', input: { n: 2 }, expect: { output: { echo: { n: 3 } } } },
        ]),
      })
      .returning<Array<{ id: string }>>('id');
    const { outcome, id: runId } = await run(row.id);
    expect(outcome.status).toBe('failed');
    const byCase = Object.fromEntries((await results(h.db, runId)).map((r) => [r.case_id, r]));
    expect(byCase.echo.status).toBe('passed');
    expect(byCase.wrong.status).toBe('failed');
    expect(byCase.wrong.assertions.find((a: { passed: boolean }) => !a.passed)).toMatchObject({
      pointer: '/output/echo/n',
      expected: 3,
      actual: 2,
    });
  });

  test("triggers: a case started by an event through the target's START trigger, one refused, one cancelled by a CANCEL trigger", async () => {
    const row = await h.db('workflow_orchestrator_service.workflow_definitions').where({ workflow_id: ORDER }).first();
    await insertTrigger(h.db, {
      trigger_id: id('start-on-placed'),
      workflow_definition_id: row.id,
      event_pattern: 'shop.order.placed',
      trigger_type: 'START',
      event_condition: 'payload.total > 0',
      input_mapping: { id: 'payload.orderId', amount: 'payload.total' },
      correlation_key: 'payload.orderId',
    });
    await insertTrigger(h.db, {
      trigger_id: id('cancel-on-withdrawn'),
      workflow_definition_id: row.id,
      event_pattern: 'shop.order.withdrawn',
      trigger_type: 'CANCEL',
      correlation_key: 'payload.orderId',
    });
    const def = await testDefinition(ORDER, [
      {
        case_id: 'placed',
        start_event: { event: 'shop.order.placed', payload: { orderId: 'o-9', total: 5 } },
        mocks: [
          { step: 'price', when: 'input.id = "o-9" and input.amount = 5', output: { total: 5 } },
          { step: 'charge', output: { receipt: 'r-9' } },
        ],
        expect: {
          output: { status: 'charged', receipt: 'r-9' },
          events: [{ event: 'order.charged', payload: { id: 'o-9' } }],
        },
      },
      {
        case_id: 'free-order-not-started',
        start_event: { event: 'shop.order.placed', payload: { orderId: 'o-0', total: 0 } },
        expect: { started: false },
      },
      {
        case_id: 'withdrawn',
        start_event: { event: 'shop.order.placed', payload: { orderId: 'o-10', total: 5000 } },
        mocks: [price(5000)],
        events: [{ event: 'shop.order.withdrawn', payload: { orderId: 'o-10' }, at_step: 'review' }],
        expect: { status: 'cancelled', path: ['price', 'route', 'review'] },
      },
    ]);
    const { outcome, id: runId } = await run(def);
    const byCase = Object.fromEntries((await results(h.db, runId)).map((r) => [r.case_id, r]));
    for (const r of Object.values(byCase) as Array<{ case_id: string; assertions: Array<{ passed: boolean }> }>)
      expect({ case: r.case_id, failed: r.assertions.filter((a: { passed: boolean }) => !a.passed) }).toEqual({
        case: r.case_id,
        failed: [],
      });
    expect(outcome.status).toBe('passed');
    expect(byCase['free-order-not-started'].assertions[0].message).toContain('condition false');
    expect(byCase['free-order-not-started'].temporal_workflow_id).toBeNull();
  });

  test('an emitted payload is checked against its event definition, as publishing would', async () => {
    const pattern = `strict.${suffix}.charged`;
    await createEventDefinition(h.db, {
      event_id: id('strict-charged'),
      name: 'strict',
      pattern,
      version: '1.0.0',
      payload_schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
    });
    const STRICT = id('strict-flow');
    await activeWorkflow(h.db, {
      workflow_id: STRICT,
      steps: [{ id: 'announce', type: 'emit_event', event: pattern, payload: { amount: '{% $input.amount %}' } }],
    } as never);
    const def = await testDefinition(STRICT, [
      { case_id: 'valid', input: { amount: 3 }, expect: { events: [{ event: pattern, payload: { amount: 3 } }] } },
      { case_id: 'invalid', input: { amount: 'three' }, expect: { error: { type: 'SchemaViolation' } } },
    ]);
    const { outcome, id: runId } = await run(def);
    expect(outcome.status).toBe('passed');
    const invalid = (await results(h.db, runId)).find((r) => r.case_id === 'invalid');
    expect(invalid.error.message).toContain('/amount must be number');
  });
});
