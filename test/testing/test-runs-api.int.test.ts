/**
 * /api/v1/test-runs over the real API, Temporal dev server and PostgreSQL (#14): 202 with a Location, live
 * progress in the run's summary, results in run order with their pointers, cancellation, and the 4xx answers.
 */
import request from 'supertest';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from '../engine-runs/harness';

jest.setTimeout(120_000);

let h: RunHarness;
let api: TestApi;
let tester: TestCaller;
let reader: TestCaller;
const suffix = Math.random().toString(36).slice(2, 8);
const id = (name: string) => `${name}-${suffix}`;
const FLOW = id('api-flow');
const TEST_ID = id('api-tests');

beforeAll(async () => {
  h = await startRunHarness({ testRunner: true });
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  tester = await createTestCaller(api.deps, ['tests:read', 'tests:write'], 'tester');
  reader = await createTestCaller(api.deps, ['tests:read'], 'reader');
  await activeTask(h.db, { task_id: id('quote'), name: 'quote', type: 'transform', config: { expression: '$' } });
  await activeWorkflow(h.db, {
    workflow_id: FLOW,
    steps: [
      { id: 'quote', type: 'task', task: id('quote') },
      { id: 'think', type: 'delay', duration: '{% $input.think %}' },
      { id: 'done', type: 'succeed', output: { price: '{% $steps.quote.output.price %}' } },
    ],
  } as never);
  await h.db('testing_framework_service.test_definitions').insert({
    test_id: TEST_ID,
    version: '1.0.0',
    name: 'api tests',
    status: 'active',
    target_type: 'workflow',
    target_id: FLOW,
    test_cases: JSON.stringify([
      {
        case_id: 'quick',
        tags: ['smoke'],
        input: { think: 'PT1S' },
        mocks: [{ step: 'quote', output: { price: 10 } }],
        expect: { output: { price: 10 } },
      },
      {
        case_id: 'slow-and-wrong',
        input: { think: 'PT3S' },
        time_scale: 1,
        mocks: [{ step: 'quote', output: { price: 11 } }],
        expect: { output: { price: 10 } },
      },
    ]),
    settings: JSON.stringify({ concurrency: 2 }),
  });
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

const post = (path: string, body: unknown, caller = tester) =>
  request(api.app)
    .post(`/api/v1${path}`)
    .set(caller.bearer)
    .send(body as object);
const get = (path: string, caller = tester) => request(api.app).get(`/api/v1${path}`).set(caller.bearer);

describe('/test-runs', () => {
  test('202 at once; progress while the cases run; results in run order with pointers; 409 on a late cancel', async () => {
    const started = await post('/test-runs', { test_id: TEST_ID });
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`/api/v1/test-runs/${started.body.id}`);
    expect(started.body.summary).toMatchObject({ total: 2, pending: 2 });
    expect(started.body.test_definitions).toEqual([
      expect.objectContaining({ test_id: TEST_ID, version: '1.0.0', cases: 2 }),
    ]);
    expect(started.body.targets).toEqual([expect.objectContaining({ type: 'workflow', id: FLOW, version: '1.0.0' })]);
    const runUrl = `/test-runs/${started.body.id}`;
    // Live progress: the quick case is done while the slow one (3 s of real time) still runs.
    const progress = await eventually(async () => {
      const r = await get(runUrl, reader);
      return r.body.summary.passed === 1 && r.body.summary.running === 1 ? r.body : undefined;
    });
    expect(progress.status).toBe('running');
    const ended = await eventually(async () => {
      const r = await get(runUrl, reader);
      return ['passed', 'failed', 'error'].includes(r.body.status) ? r.body : undefined;
    }, 60_000);
    expect(ended.status).toBe('failed');
    expect(ended.summary).toMatchObject({ total: 2, passed: 1, failed: 1, running: 0, pending: 0 });
    expect(ended.coverage[0].steps).toMatchObject({ total: 3, visited: 3, percent: 100 });
    const results = await get(`${runUrl}/results`, reader);
    expect(results.status).toBe(200);
    expect(results.body.items.map((r: { case_id: string; status: string }) => [r.case_id, r.status])).toEqual([
      ['quick', 'passed'],
      ['slow-and-wrong', 'failed'],
    ]);
    const wrong = results.body.items[1];
    expect(wrong.assertions).toContainEqual(
      expect.objectContaining({
        expectation: 'output',
        pointer: '/output/price',
        expected: 10,
        actual: 11,
        passed: false,
      }),
    );
    const one = await get(`${runUrl}/results/${wrong.id}`, reader);
    expect(one.body.temporal_workflow_id).toBe(`aos-test-case.${wrong.id}`);
    const failedOnly = await get(`${runUrl}/results?status=failed`, reader);
    expect(failedOnly.body.items).toHaveLength(1);
    const paged = await get(`${runUrl}/results?limit=1`, reader);
    expect(paged.body.items).toHaveLength(1);
    const next = await get(`${runUrl}/results?limit=1&cursor=${paged.body.next_cursor}`, reader);
    expect(next.body.items[0].case_id).toBe('slow-and-wrong');
    const late = await post(`${runUrl}/cancel`, {});
    expect(late.status).toBe(409);
    const listed = await get(`/test-runs?status=failed`, reader);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(started.body.id);
  });

  test('a run by tag takes only the tagged cases', async () => {
    const started = await post('/test-runs', { tag: 'smoke' });
    expect(started.status).toBe(202);
    const mine = started.body.test_definitions.find((d: { test_id: string }) => d.test_id === TEST_ID);
    expect(mine.cases).toBe(1);
  });

  test('4xx: selectors, unknown definitions, nothing selected, permissions, malformed cursor', async () => {
    const none = await post('/test-runs', {});
    expect(none.status).toBe(422);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body.errors).toEqual([expect.objectContaining({ pointer: '/body' })]);
    const two = await post('/test-runs', { test_id: TEST_ID, tag: 'x' });
    expect(two.status).toBe(422);
    expect(two.body.errors[0].pointer).toBe('/body/tag');
    expect((await post('/test-runs', { test_id: id('nope') })).status).toBe(404);
    const nothing = await post('/test-runs', { tag: id('no-such-tag') });
    expect(nothing.status).toBe(422);
    const bad = await post('/test-runs', { target: { type: 'pipeline', id: 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toBe('/body/target/type');
    expect((await post('/test-runs', { test_id: TEST_ID }, reader)).status).toBe(403);
    const missing = await get(`/test-runs/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    const run = await post('/test-runs', { tag: 'smoke' });
    const cursor = await get(`/test-runs/${run.body.id}/results?cursor=abc`);
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors[0].pointer).toBe('/query/cursor');
  });
});
