/**
 * The engine's REST endpoints through the real app (auth included): definitions lifecycle with ETag /
 * If-Match, 422 with every error, starting runs (idempotent by business key), listing, getting with tasks,
 * cancel, terminate, live state and the drift report.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(60_000);
const sfx = randomBytes(3).toString('hex');
const taskId = `rest-echo-${sfx}`;
const wfId = `rest-flow-${sfx}`;
let h: RunHarness;
let api: TestApi;
let admin: TestCaller;
const V1 = '/api/v1';

beforeAll(async () => {
  h = await startRunHarness();
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue, TEMPORAL_UI_URL: 'http://ui.test' } });
  admin = await createTestCaller(api.deps, ['*'], 'engine-admin');
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const post = (path: string, body?: object) =>
  request(api.app)
    .post(`${V1}${path}`)
    .set(admin.bearer)
    .send(body ?? {});
const get = (path: string) => request(api.app).get(`${V1}${path}`).set(admin.bearer);
const flow = (version: string, output: string, delay = '10ms') => ({
  workflow_id: wfId,
  name: 'REST flow',
  version,
  input_schema: { type: 'object', properties: { n: { type: 'integer' } } },
  steps: [
    { id: 'call', type: 'task', task: taskId },
    { id: 'pause', type: 'delay', duration: delay },
    { id: 'done', type: 'succeed', output: { version: output, echoed: '{% $steps.call.output %}' } },
  ],
});

describe('task and workflow definitions', () => {
  it('creates, validates and activates a task definition', async () => {
    const bad = await post('/task-definitions', {
      task_id: taskId,
      version: '1.0.0',
      type: 'http',
      config: {},
      retry_policy: { max_attempts: -1 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/body/retry_policy/max_attempts');
    const dry = await post('/task-definitions/validate', {
      task_id: taskId,
      version: '1.0.0',
      type: 'echo',
      config: {},
    });
    expect(dry.body).toEqual({ valid: true, errors: [] });
    const created = await post('/task-definitions', { task_id: taskId, version: '1.0.0', type: 'echo', config: {} });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBeDefined();
    expect((await post(`/task-definitions/${taskId}/versions/1.0.0/activate`)).body.status).toBe('active');
  });

  it('answers 422 with every error of an invalid definition and writes nothing', async () => {
    const doc = {
      ...flow('1.0.0', 'v1'),
      steps: [
        { id: 'a', type: 'task', task: 'no-such-task', next: 'nowhere' },
        { id: 'a', type: 'set', vars: {} },
      ],
    };
    const res = await post('/workflow-definitions', doc);
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/body/steps/0/task', '/body/steps/0/next']));
    expect(res.body.errors.length).toBeGreaterThanOrEqual(3);
    expect((await get(`/workflow-definitions/${wfId}`)).status).toBe(404);
    const dry = await post('/workflow-definitions/validate', doc);
    expect(dry.status).toBe(200);
    expect(dry.body.valid).toBe(false);
  });

  it('answers 422 naming the field for an expression in fail.error (a name catch clauses match) or vars that read $vars', async () => {
    const doc = {
      ...flow('1.0.0', 'v1'),
      workflow_id: `${wfId}-names`,
      vars: { n: '{% $vars.m %}' },
      steps: [
        {
          id: 'stop',
          type: 'fail',
          error: '{% "E" & $input.x %}',
          message: 'bad {% $input.x %}',
          details: { x: '{% $input.x %}' },
        },
      ],
    };
    const res = await post('/workflow-definitions', doc);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { pointer: string; code: string }) => `${e.code} ${e.pointer}`).sort()).toEqual([
      'expression_not_allowed /body/steps/0/error',
      'unavailable_variable /body/vars/n',
    ]);
    expect((await get(`/workflow-definitions/${wfId}-names`)).status).toBe(404);
  });

  it('edits a draft only with a matching If-Match, then freezes it once active', async () => {
    const created = await post('/workflow-definitions', flow('1.0.0', 'draft'));
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    const put = (etag?: string) => {
      const r = request(api.app).put(`${V1}/workflow-definitions/${wfId}/versions/1.0.0`).set(admin.bearer);
      return (etag ? r.set('If-Match', etag) : r).send(flow('1.0.0', 'v1', '1500ms'));
    };
    expect((await put()).status).toBe(428);
    expect((await put('"stale"')).status).toBe(412);
    const edited = await put(created.headers.etag);
    expect(edited.status).toBe(200);
    expect(edited.body.definition.steps[2].output.version).toBe('v1');
    expect((await post(`/workflow-definitions/${wfId}/versions/1.0.0/activate`)).body.status).toBe('active');
    expect((await put(edited.headers.etag)).status).toBe(412); // activation changed the tag
    const again = await get(`/workflow-definitions/${wfId}/versions/1.0.0`);
    expect((await put(again.headers.etag)).status).toBe(409);
  });

  it('keeps a running run on its snapshot when a new version is activated', async () => {
    const first = await post(`/workflow-definitions/${wfId}/runs`, { input: { n: 1 } });
    expect(first.status).toBe(201);
    expect(first.body.definition.version).toBe('1.0.0');
    const v2 = await post(`/workflow-definitions/${wfId}/versions`, flow('2.0.0', 'v2'));
    expect(v2.status).toBe(201);
    await post(`/workflow-definitions/${wfId}/versions/2.0.0/activate`);
    expect((await get(`/workflow-definitions/${wfId}`)).body.version).toBe('2.0.0');
    expect(
      (await get(`/workflow-definitions/${wfId}/versions`)).body.items.map((v: { version: string }) => v.version),
    ).toEqual(['1.0.0', '2.0.0']);

    const done = (id: string) =>
      eventually(async () => {
        const r = await get(`/workflow-instances/${id}`);
        return r.body.status === 'completed' ? r.body : undefined;
      });
    expect((await done(first.body.id)).output).toEqual({ version: 'v1', echoed: { n: 1 } });
    const latest = await post(`/workflow-definitions/${wfId}/runs`, { input: { n: 2 } });
    expect((await done(latest.body.id)).output.version).toBe('v2');
    const pinned = await post('/workflow-instances', { workflow_id: wfId, version: '1.0.0', input: { n: 3 } });
    expect(pinned.status).toBe(201);
    expect((await done(pinned.body.id)).output.version).toBe('v1');
  });
});

describe('workflow instances', () => {
  it('starts once per business key, validates input, and lists and gets runs with their tasks', async () => {
    const body = { input: { n: 5 }, business_key: `bk-${sfx}`, correlation_key: `ck-${sfx}` };
    const a = await post(`/workflow-definitions/${wfId}/runs`, body);
    const b = await post(`/workflow-definitions/${wfId}/runs`, body);
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(b.body.id).toBe(a.body.id);
    expect(a.body.temporal_ui_url).toMatch(
      new RegExp(`^http://ui\\.test/namespaces/default/workflows/${wfId}%3Abk-${sfx}/`),
    );

    const bad = await post(`/workflow-definitions/${wfId}/runs`, { input: { n: 'five' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toBe('/body/input/n');

    const run = await eventually(async () => {
      const r = await get(`/workflow-instances/${a.body.id}`);
      return r.body.status === 'completed' ? r.body : undefined;
    });
    expect(run.tasks).toEqual([
      expect.objectContaining({ step_id: 'call', status: 'completed', attempt: 1, output: { n: 5 } }),
    ]);
    expect(run.temporal_ui_url).toMatch(/\/history$/);

    const page1 = await get(`/workflow-instances?definition=${wfId}&limit=1`);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await get(`/workflow-instances?definition=${wfId}&limit=1&cursor=${page1.body.next_cursor}`);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    const byKey = await get(`/workflow-instances?correlation_key=ck-${sfx}&status=completed`);
    expect(byKey.body.items.map((i: { id: string }) => i.id)).toEqual([a.body.id]);
  });

  it('queries live state, cancels, terminates and reports drift', async () => {
    const slow = { ...flow('3.0.0', 'v3', '30s') };
    await post(`/workflow-definitions/${wfId}/versions`, slow);
    await post(`/workflow-definitions/${wfId}/versions/3.0.0/activate`);
    const one = await post(`/workflow-definitions/${wfId}/runs`, { input: {} });
    const state = await eventually(async () => {
      const r = await get(`/workflow-instances/${one.body.id}/state`);
      return r.status === 200 && r.body.currentSteps.includes('pause') ? r.body : undefined;
    });
    expect(state.source).toBe('temporal');
    expect((await post(`/workflow-instances/${one.body.id}/cancel`)).status).toBe(202);
    await eventually(async () => (await get(`/workflow-instances/${one.body.id}`)).body.status === 'cancelled');
    expect((await post(`/workflow-instances/${one.body.id}/cancel`)).status).toBe(409);

    const two = await post(`/workflow-definitions/${wfId}/runs`, { input: {} });
    const t = await post(`/workflow-instances/${two.body.id}/terminate`, { reason: 'enough' });
    expect(t.body).toMatchObject({ status: 'terminated', error: { message: 'enough' } });
    const report = await get('/workflow-instances/reconcile');
    expect(report.status).toBe(200);
    expect(report.body).toEqual(expect.objectContaining({ checked: expect.any(Number), drift: expect.any(Array) }));
    expect((await get('/workflow-instances/not-a-uuid')).status).toBe(400);
    expect((await get(`/workflow-instances/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('refuses callers without the permission', async () => {
    const reader = await createTestCaller(api.deps, ['workflow_instances:read'], 'reader');
    const res = await request(api.app)
      .post(`${V1}/workflow-definitions/${wfId}/runs`)
      .set(reader.bearer)
      .send({ input: {} });
    expect(res.status).toBe(403);
  });
});
