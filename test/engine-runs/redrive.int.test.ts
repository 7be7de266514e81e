/**
 * Redrive and rerun (#15 item 1), on a real worker and a real database. A redriven run begins at the top-level step
 * that failed with the completed steps' outputs and variables; inside a foreach or a parallel only the failed
 * iterations or branches run again. A rerun starts from the beginning. Both are lineage on both instances.
 * Outside calls go to a local HTTP server whose routes fail until told otherwise.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { controlHistory, listRunTasks, startRun, terminateRun } from '../../services/runs';
import { aosStateQuery } from '../../workflows/api';
import { startFakeService, type FakeService } from '../engine-tasks/fixtures/http-server';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(90_000);

const sfx = randomBytes(3).toString('hex');
const HTTP = `redrive-http-${sfx}`;
const ids = {
  three: `redrive-three-${sfx}`,
  each: `redrive-each-${sfx}`,
  fan: `redrive-fan-${sfx}`,
  wait: `redrive-wait-${sfx}`,
};
let h: RunHarness;
let api: TestApi;
let operator: TestCaller;
let server: FakeService;

const call = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'task',
  task: HTTP,
  input: { url: `{% $input.base & '${path}' %}` },
  retry: { max_attempts: 1 },
  ...extra,
});

beforeAll(async () => {
  server = await startFakeService();
  h = await startRunHarness();
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  operator = await createTestCaller(api.deps, ['workflow_instances:redrive', 'workflow_instances:read'], 'operator');
  await activeTask(h.db, {
    task_id: HTTP,
    name: HTTP,
    type: 'http',
    config: { method: 'GET', url: '{% $input.url %}', response: '{% $response.body %}' },
  });
  await activeWorkflow(h.db, {
    workflow_id: ids.three,
    input_schema: { type: 'object', required: ['base'], properties: { base: { type: 'string' } } },
    vars: { visits: 0 },
    steps: [
      call('one', '/three/one'),
      call('two', '/three/two', { result_var: 'second' }),
      { id: 'count', type: 'set', vars: { visits: '{% $vars.visits + 1 %}' } },
      call('three', '/three/three'),
      {
        id: 'done',
        type: 'succeed',
        output: {
          one: '{% $steps.one.output %}',
          two: '{% $vars.second %}',
          three: '{% $steps.three.output %}',
          visits: '{% $vars.visits %}',
        },
      },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.each,
    steps: [
      {
        id: 'each',
        type: 'foreach',
        items: '{% $input.items %}',
        steps: [call('get', '', { input: { url: "{% $input.base & '/each/' & $item %}" } })],
      },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.fan,
    steps: [
      {
        id: 'fan',
        type: 'parallel',
        branches: [
          { id: 'a', steps: [call('a1', '/fan/a1'), call('a2', '/fan/a2')] },
          { id: 'b', steps: [call('b1', '/fan/b1')] },
        ],
      },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.wait,
    steps: [{ id: 'wait', type: 'wait_for_event', event: 'redrive.never', timeout: '10m' }],
  } as never);
});

afterAll(async () => {
  await api?.close();
  await h?.close();
  await server?.close();
});

const post = (path: string, body?: object) =>
  request(api.app)
    .post(`/api/v1/workflow-instances/${path}`)
    .set(operator.bearer)
    .send(body ?? {});
const get = (id: string) => request(api.app).get(`/api/v1/workflow-instances/${id}`).set(operator.bearer);
const hitsOf = (path: string) => server.hits.filter((x) => x.url === path).length;

/** Starts a run and waits until its row is closed; answers the row's status. */
async function closedRun(workflowId: string, input: unknown): Promise<{ id: string; status: string }> {
  const { instanceId } = await startRun(h.deps, { workflowId, input, trigger: { kind: 'api' } });
  const status = await eventually(async () => {
    const res = await get(instanceId);
    return ['completed', 'failed', 'cancelled', 'terminated', 'timed_out'].includes(res.body.status) && res.body.status;
  }, 30_000);
  return { id: instanceId, status };
}

async function finished(id: string): Promise<{ status: string; output: unknown }> {
  return eventually(async () => {
    const res = await get(id);
    return ['completed', 'failed'].includes(res.body.status) && res.body;
  }, 30_000);
}

/** Task rows per step path. */
async function rowsByPath(instanceId: string): Promise<Record<string, number[]>> {
  const rows: Record<string, number[]> = {};
  for (const t of await listRunTasks(h.db, instanceId)) (rows[t.step_path ?? t.step_id] ??= []).push(t.attempt);
  return rows;
}

describe('redrive', () => {
  it('When a run fails at its third task, then the redrive runs only that task and keeps the earlier outputs', async () => {
    server.route('/three/one', { status: 200, body: { n: 1 } });
    server.route('/three/two', { status: 200, body: { n: 2 } });
    server.route('/three/three', { status: 500, body: { down: true } }, { status: 200, body: { n: 3 } });
    const original = await closedRun(ids.three, { base: server.url });
    expect(original.status).toBe('failed');

    const res = await post(`${original.id}/redrive`);
    expect(res.status).toBe(201);
    expect(res.body.origin).toEqual({ instance_id: original.id, kind: 'redrive' });
    expect(res.headers.location).toBe(`/api/v1/workflow-instances/${res.body.id}`);
    const redriven = await finished(res.body.id);
    expect(redriven).toMatchObject({
      status: 'completed',
      output: { one: { n: 1 }, two: { n: 2 }, three: { n: 3 }, visits: 1 },
    });
    // Steps one and two ran once, in the original run only; step three once in each.
    expect([hitsOf('/three/one'), hitsOf('/three/two'), hitsOf('/three/three')]).toEqual([1, 1, 2]);
    expect(await rowsByPath(original.id)).toEqual({ one: [1], two: [1], three: [1] });
    expect(await rowsByPath(res.body.id)).toEqual({ three: [1] });

    // Lineage on both instances; the control history of the original names the new run.
    expect((await get(original.id)).body).toMatchObject({ origin: null, redriven_by: res.body.id, reruns: [] });
    expect((await get(res.body.id)).body).toMatchObject({ origin: { instance_id: original.id, kind: 'redrive' } });
    const history = await controlHistory(h.db, original.id);
    expect(history).toEqual([
      expect.objectContaining({ action: 'start' }),
      expect.objectContaining({
        action: 'redrive',
        principal: operator.username,
        details: expect.objectContaining({ new_instance_id: res.body.id }),
      }),
    ]);

    // Once only: the second redrive names the first one.
    const again = await post(`${original.id}/redrive`);
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.body.detail).toContain(res.body.id);
    expect(again.body.redriven_by).toBe(res.body.id);
    // A completed run has no failed step: redrive refuses it, rerun takes it.
    expect((await post(`${res.body.id}/redrive`)).status).toBe(409);
  });

  it('When one foreach iteration fails, then the redrive runs only that iteration again', async () => {
    server.route('/each/x', { status: 200, body: { item: 'x' } });
    server.route('/each/y', { status: 500, body: {}, delayMs: 300 }, { status: 200, body: { item: 'y' } });
    server.route('/each/z', { status: 200, body: { item: 'z' } });
    const original = await closedRun(ids.each, { base: server.url, items: ['x', 'y', 'z'] });
    expect(original.status).toBe('failed');
    expect(await rowsByPath(original.id)).toEqual({ 'each.i0.get': [1], 'each.i1.get': [1], 'each.i2.get': [1] });

    const res = await post(`${original.id}/redrive`);
    expect(res.status).toBe(201);
    expect(await finished(res.body.id)).toMatchObject({
      status: 'completed',
      output: [{ item: 'x' }, { item: 'y' }, { item: 'z' }],
    });
    expect(await rowsByPath(res.body.id)).toEqual({ 'each.i1.get': [1] });
    expect([hitsOf('/each/x'), hitsOf('/each/y'), hitsOf('/each/z')]).toEqual([1, 2, 1]);
  });

  it('When one parallel branch fails, then the redrive runs only that branch again', async () => {
    server.route('/fan/a1', { status: 200, body: { a: 1 } });
    server.route('/fan/a2', { status: 200, body: { a: 2 } });
    server.route('/fan/b1', { status: 500, body: {}, delayMs: 300 }, { status: 200, body: { b: 1 } });
    const original = await closedRun(ids.fan, { base: server.url });
    expect(original.status).toBe('failed');

    const res = await post(`${original.id}/redrive`);
    expect(res.status).toBe(201);
    expect(await finished(res.body.id)).toMatchObject({ status: 'completed', output: { a: { a: 2 }, b: { b: 1 } } });
    expect(await rowsByPath(res.body.id)).toEqual({ 'fan.b.b1': [1] });
    expect([hitsOf('/fan/a1'), hitsOf('/fan/a2'), hitsOf('/fan/b1')]).toEqual([1, 1, 2]);
  });

  it('refuses an open run (409) and an unknown one (404)', async () => {
    const { instanceId } = await startRun(h.deps, { workflowId: ids.wait, input: {}, trigger: { kind: 'api' } });
    const open = await post(`${instanceId}/redrive`);
    expect(open.status).toBe(409);
    expect(open.body.detail).toMatch(/still (pending|running|waiting)/);
    expect((await post(`${instanceId}/rerun`)).status).toBe(409);
    expect((await post(`${randomUUID()}/redrive`)).status).toBe(404);
    expect((await post(`${randomUUID()}/rerun`)).status).toBe(404);
    await h.client.workflow.getHandle(`${ids.wait}:${instanceId}`).terminate('test over');
  });

  it('When a waiting run was terminated, then one redrive (of two at once) waits again at the same step', async () => {
    const { instanceId, workflowId } = await startRun(h.deps, {
      workflowId: ids.wait,
      input: {},
      trigger: { kind: 'api' },
    });
    const stateOf = (id: string) => h.client.workflow.getHandle(id).query(aosStateQuery);
    await eventually(async () => (await stateOf(workflowId)).status === 'waiting');
    await terminateRun(h.deps, instanceId, 'stuck');
    // Two redrives at once: one run is made, the other request names it.
    const both = await Promise.all([post(`${instanceId}/redrive`), post(`${instanceId}/redrive`)]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const res = both.find((r) => r.status === 201)!;
    expect(both.find((r) => r.status === 409)!.body.redriven_by).toBe(res.body.id);
    await eventually(async () => (await stateOf(res.body.workflow_id)).status === 'waiting');
    expect(await stateOf(res.body.workflow_id)).toMatchObject({ currentSteps: ['wait'] });
    await h.client.workflow.getHandle(res.body.workflow_id).terminate('test over');
  });
});

describe('rerun', () => {
  it('When a closed run is rerun with a new input, then it starts from the beginning; lineage lists it', async () => {
    server.route('/three/one', { status: 200, body: { n: 1 } });
    server.route('/three/two', { status: 200, body: { n: 2 } });
    server.route('/three/three', { status: 200, body: { n: 3 } });
    for (const step of ['one', 'two', 'three']) server.route(`/v2/three/${step}`, { status: 200, body: { v: 2 } });
    const original = await closedRun(ids.three, { base: server.url });
    expect(original.status).toBe('completed');
    const before = hitsOf('/three/one');

    const bad = await post(`${original.id}/rerun`, { input: { base: 7 } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/body/input/base');

    const res = await post(`${original.id}/rerun`, { input: { base: `${server.url}/v2` } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      origin: { instance_id: original.id, kind: 'rerun' },
      input: { base: `${server.url}/v2` },
    });
    expect(await finished(res.body.id)).toMatchObject({ status: 'completed', output: { visits: 1 } });
    expect(hitsOf('/v2/three/one')).toBe(1);
    expect(hitsOf('/three/one')).toBe(before);

    const same = await post(`${original.id}/rerun`);
    expect(same.status).toBe(201);
    expect(same.body.input).toEqual({ base: server.url });
    expect((await get(original.id)).body).toMatchObject({ redriven_by: null, reruns: [res.body.id, same.body.id] });
  });
});
