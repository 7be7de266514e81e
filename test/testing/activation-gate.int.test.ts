/**
 * The activation gate over the real API, Temporal dev server and PostgreSQL (#14, docs/testing.md#activation-gate):
 * a version that breaks a gating test is refused with the failing case named and stays a draft; one that passes
 * is activated; only gating test definitions run; a workflow without gating tests activates without a test run;
 * a gate that outlives ACTIVATION_GATE_TIMEOUT_MS answers 503 and activates nothing.
 */
import request from 'supertest';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from '../engine-runs/harness';

jest.setTimeout(120_000);

let h: RunHarness;
let api: TestApi;
let slowApi: TestApi;
let author: TestCaller;
let slowAuthor: TestCaller;
const suffix = Math.random().toString(36).slice(2, 8);
const id = (name: string) => `${name}-${suffix}`;
const QUOTE = id('gate-quote');
const GATED = id('gated-flow');
const UNGATED = id('ungated-flow');
const SLOW = id('slow-flow');
const TESTS = 'testing_framework_service.test_definitions';

/** A quote workflow whose output is the mocked price plus `bump`. */
const quoteFlow = (workflowId: string, bump: number) => ({
  workflow_id: workflowId,
  name: workflowId,
  steps: [
    { id: 'quote', type: 'task', task: QUOTE },
    { id: 'done', type: 'succeed', output: { price: `{% $steps.quote.output.price + ${bump} %}` } },
  ],
});

const priceCase = (caseId: string) => ({
  case_id: caseId,
  mocks: [{ step: 'quote', output: { price: 10 } }],
  expect: { output: { price: 10 } },
});

async function insertTests(testId: string, target: string, cases: unknown[], settings: Record<string, unknown>) {
  await h.db(TESTS).insert({
    test_id: testId,
    version: '1.0.0',
    name: testId,
    status: 'active',
    target_type: 'workflow',
    target_id: target,
    test_cases: JSON.stringify(cases),
    settings: JSON.stringify(settings),
  });
}

beforeAll(async () => {
  h = await startRunHarness({ testRunner: true });
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  slowApi = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue, ACTIVATION_GATE_TIMEOUT_MS: '1000' } });
  const perms = ['workflow_definitions:read', 'workflow_definitions:write', 'tests:read'];
  author = await createTestCaller(api.deps, perms, 'author');
  slowAuthor = await createTestCaller(slowApi.deps, perms, 'slow-author');
  await activeTask(h.db, { task_id: QUOTE, name: 'quote', type: 'transform', config: { expression: '$' } });
  for (const flow of [GATED, UNGATED, SLOW]) await activeWorkflow(h.db, quoteFlow(flow, 0) as never);
  await insertTests(id('gate'), GATED, [priceCase('price-is-ten'), priceCase('still-ten')], { gate_activation: true });
  // Fails on every version, but does not gate: the gate must not run it.
  await insertTests(id('advisory'), GATED, [{ ...priceCase('never'), expect: { output: { price: -1 } } }], {});
  await insertTests(id('plain'), UNGATED, [priceCase('price-is-ten')], { gate_activation: false });
  await insertTests(
    id('slow'),
    SLOW,
    [
      {
        ...priceCase('slow'),
        time_scale: 1,
        input: {},
        mocks: [{ step: 'quote', output: { price: 10 }, delay: 'PT5S' }],
      },
    ],
    { gate_activation: true },
  );
});

afterAll(async () => {
  await slowApi?.close();
  await api?.close();
  await h?.close();
});

async function draft(flow: string, version: string, bump: number, app = api, caller = author) {
  const res = await request(app.app)
    .post(`/api/v1/workflow-definitions/${flow}/versions`)
    .set(caller.bearer)
    .send({ ...quoteFlow(flow, bump), version });
  expect(res.status).toBe(201);
}

const activate = (flow: string, version: string, app = api, caller = author) =>
  request(app.app).post(`/api/v1/workflow-definitions/${flow}/versions/${version}/activate`).set(caller.bearer);

const statusOf = async (flow: string, version: string) =>
  (await request(api.app).get(`/api/v1/workflow-definitions/${flow}/versions/${version}`).set(author.bearer)).body
    .status;

const runsOf = (flow: string) =>
  h.db('testing_framework_service.test_runs').whereRaw(`selector->'target'->>'id' = ?`, [flow]).select('*');

describe('activation gate', () => {
  test('a version that breaks a gating test is refused, names the failing cases, and stays a draft', async () => {
    await draft(GATED, '1.1.0', 1);
    const res = await activate(GATED, '1.1.0');
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.test_run_id).toEqual(expect.any(String));
    expect(res.body.errors).toEqual([
      {
        pointer: `/tests/${id('gate')}/price-is-ten`,
        message: 'failed: output at /output/price: expected 10, actual 11',
      },
      { pointer: `/tests/${id('gate')}/still-ten`, message: 'failed: output at /output/price: expected 10, actual 11' },
    ]);
    expect(await statusOf(GATED, '1.1.0')).toBe('draft');
    // The run is readable, tested exactly that version, and ran only the gating test definition.
    const run = await request(api.app).get(`/api/v1/test-runs/${res.body.test_run_id}`).set(author.bearer);
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('failed');
    expect(run.body.selector).toEqual({ target: { type: 'workflow', id: GATED, version: '1.1.0' }, gating: true });
    expect(run.body.triggered_by).toBe(author.username);
    expect(run.body.test_definitions.map((d: { test_id: string }) => d.test_id)).toEqual([id('gate')]);
    expect(run.body.targets).toEqual([expect.objectContaining({ id: GATED, version: '1.1.0' })]);
  });

  test('a version that passes its gating tests is activated', async () => {
    await draft(GATED, '1.2.0', 0);
    const before = (await runsOf(GATED)).length;
    const res = await activate(GATED, '1.2.0');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('active');
    const runs = await runsOf(GATED);
    expect(runs).toHaveLength(before + 1);
    const gate = runs.find((r) => r.selector.target.version === '1.2.0');
    expect(gate.status).toBe('passed');
    // Activating it again is a no-op that runs nothing.
    expect((await activate(GATED, '1.2.0')).status).toBe(200);
    expect(await runsOf(GATED)).toHaveLength(before + 1);
  });

  test('a workflow whose test definitions do not gate activates without a test run', async () => {
    await draft(UNGATED, '1.1.0', 1); // would fail its (non-gating) test
    const res = await activate(UNGATED, '1.1.0');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('active');
    expect(await runsOf(UNGATED)).toHaveLength(0);
  });

  test('a gate that outlives ACTIVATION_GATE_TIMEOUT_MS answers 503 with the run id and activates nothing', async () => {
    await draft(SLOW, '1.1.0', 0, slowApi, slowAuthor);
    const res = await activate(SLOW, '1.1.0', slowApi, slowAuthor);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.test_run_id).toEqual(expect.any(String));
    expect(res.body.detail).toContain('ACTIVATION_GATE_TIMEOUT_MS');
    expect(await statusOf(SLOW, '1.1.0')).toBe('draft');
    // The run goes on and its result is readable; its passing later activates nothing by itself.
    const ended = await eventually(async () => {
      const r = await request(api.app).get(`/api/v1/test-runs/${res.body.test_run_id}`).set(author.bearer);
      return ['passed', 'failed', 'error'].includes(r.body.status) ? r.body : undefined;
    }, 30_000);
    expect(ended.status).toBe('passed');
    expect(await statusOf(SLOW, '1.1.0')).toBe('draft');
  });

  test('the plain checks come first: unknown versions 404, an If-Match mismatch 412, both without a test run', async () => {
    const before = (await runsOf(GATED)).length;
    expect((await activate(GATED, '9.9.9')).status).toBe(404);
    await draft(GATED, '1.3.0', 0);
    const stale = await activate(GATED, '1.3.0').set('If-Match', '"stale"');
    expect(stale.status).toBe(412);
    expect(await runsOf(GATED)).toHaveLength(before);
    expect(await statusOf(GATED, '1.3.0')).toBe('draft');
  });
});
