/**
 * Pause and resume (#15 item 2) and the control history (item 7): a pause holds the run at its next step boundary
 * (running steps finish), the run is mirrored `paused`, and resume continues it; every control action is recorded
 * with its principal.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { getWorkflowInstance } from '../../db/repositories/workflow-instances';
import { createLogger } from '../../common/logger';
import { reconcile } from '../../services/mirror/reconcile/reconcile';
import { listRunTasks, startRun } from '../../services/runs';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(90_000);

const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const ids = {
  slow: id('slow'),
  echo: id('echo'),
  steps: id('steps'),
  waits: id('waits'),
  nested: id('nested'),
  loop: id('loop'),
};
let h: RunHarness;
let api: TestApi;
let operator: TestCaller;
let viewer: TestCaller;

beforeAll(async () => {
  h = await startRunHarness({ env: { CODE_HANDLERS_MODULE: require.resolve('./fixtures/stall-handlers') } });
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  operator = await createTestCaller(
    api.deps,
    [
      'workflow_instances:start',
      'workflow_instances:read',
      'workflow_instances:pause',
      'workflow_instances:cancel',
      'workflow_instances:signal',
    ],
    'operator',
  );
  viewer = await createTestCaller(api.deps, ['workflow_instances:read'], 'viewer');
  await activeTask(h.db, {
    task_id: ids.slow,
    type: 'code',
    config: { handler: 'stall' },
    timeouts: { heartbeat: '30s', start_to_close: '1m' },
  });
  await activeTask(h.db, { task_id: ids.echo, type: 'echo' });
  await activeWorkflow(h.db, {
    workflow_id: ids.steps,
    steps: [
      { id: 'a', type: 'task', task: ids.slow, input: { ms: '{% $input.ms %}' } },
      { id: 'b', type: 'task', task: ids.echo, input: { after: '{% $steps.a.output %}' } },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.waits,
    steps: [
      { id: 'approval', type: 'wait_for_event', event: 'ops.approved', correlation: '{% $input.ref %}' },
      { id: 'b', type: 'task', task: ids.echo, input: { got: '{% $steps.approval.output %}' } },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.nested,
    steps: [
      {
        id: 'fan',
        type: 'parallel',
        branches: [
          {
            id: 'left',
            steps: [
              { id: 'l1', type: 'task', task: ids.slow, input: { ms: 1500 } },
              { id: 'l2', type: 'task', task: ids.echo, input: { n: 2 } },
            ],
          },
        ],
      },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.loop,
    steps: [
      { id: 'init', type: 'set', vars: { i: 0 } },
      { id: 'work', type: 'task', task: ids.slow, input: { ms: 1200 } },
      { id: 'add', type: 'set', vars: { i: '{% $vars.i + 1 %}' } },
      { id: 'again', type: 'switch', cases: [{ when: '{% $vars.i < 2 %}', next: 'work' }], default: 'done' },
      { id: 'done', type: 'succeed', output: { i: '{% $vars.i %}' } },
    ],
  } as never);
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

const post = (path: string, caller: TestCaller, body: object = {}) =>
  request(api.app).post(`/api/v1${path}`).set(caller.bearer).send(body);
const start = async (workflowId: string, input: object) => {
  const res = await post(`/workflow-instances`, operator, { workflow_id: workflowId, input });
  expect(res.status).toBe(201);
  return res.body as { id: string; workflow_id: string };
};
const rowOf = async (instanceId: string) => (await getWorkflowInstance(h.db, instanceId))!;
const tasksOf = async (instanceId: string) => listRunTasks(h.db, instanceId);
const stateOf = (workflowId: string) =>
  h.client.workflow.getHandle(workflowId).query<{ status: string; currentSteps: string[] }>('aosState');
const silent = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pause and resume', () => {
  it('holds the run between steps: the running step finishes, the next does not start until resumed', async () => {
    const run = await start(ids.steps, { ms: 2000 });
    await eventually(async () => (await tasksOf(run.id)).some((t) => t.step_id === 'a' && t.status === 'running'));

    const paused = await post(`/workflow-instances/${run.id}/pause`, operator, { reason: 'maintenance' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await stateOf(run.workflow_id)).status).toBe('paused');

    // A finishes while paused; B does not start, and the run stays paused.
    await eventually(async () => (await tasksOf(run.id)).some((t) => t.step_id === 'a' && t.status === 'completed'));
    await sleep(1500);
    expect((await tasksOf(run.id)).map((t) => t.step_id)).toEqual(['a']);
    expect((await rowOf(run.id)).status).toBe('paused');
    // The reconciler sees a running workflow behind a paused row: no drift, nothing "fixed".
    const report = await reconcile({ db: h.db, temporal: h.client, logger: silent }, { settleMs: 0 });
    expect(report.drift.filter((d) => d.instanceId === run.id)).toEqual([]);
    expect((await rowOf(run.id)).status).toBe('paused');
    // The monitoring view counts it (migration 020).
    const active = await h.db('observability_service.active_executions').where({
      definition_workflow_id: ids.steps,
      status: 'paused',
    });
    expect(active.map((r) => Number(r.executions))).toEqual([1]);
    const listed = await request(api.app)
      .get(`/api/v1/workflow-instances?status=paused&definition=${ids.steps}`)
      .set(viewer.bearer);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(run.id);

    const resumed = await post(`/workflow-instances/${run.id}/resume`, operator);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('running');
    await expect(h.client.workflow.getHandle(run.workflow_id).result()).resolves.toEqual({
      after: { stalledMs: 2000 },
    });
    const tasks = await tasksOf(run.id);
    expect(tasks.map((t) => [t.step_id, t.status, t.attempt])).toEqual([
      ['a', 'completed', 1],
      ['b', 'completed', 1],
    ]);
    expect((await rowOf(run.id)).status).toBe('completed');
  });

  it('holds a nested block at its own next step', async () => {
    const started = await start(ids.nested, {});
    const handle = h.client.workflow.getHandle(started.workflow_id);
    const run = started.id;
    await eventually(async () => (await tasksOf(run)).some((t) => t.step_id === 'l1'));
    expect((await post(`/workflow-instances/${run}/pause`, operator)).status).toBe(200);
    await eventually(async () => (await tasksOf(run)).some((t) => t.step_id === 'l1' && t.status === 'completed'));
    await sleep(1000);
    expect((await tasksOf(run)).map((t) => t.step_id)).toEqual(['l1']);
    expect((await post(`/workflow-instances/${run}/resume`, operator)).status).toBe(200);
    await handle.result();
    expect((await tasksOf(run)).map((t) => t.step_id).sort()).toEqual(['l1', 'l2']);
  });

  it('pauses a waiting run: the wait still takes its event, the next step waits for resume', async () => {
    const run = await start(ids.waits, { ref: 'r-1' });
    await eventually(async () => (await rowOf(run.id)).status === 'waiting');
    expect((await post(`/workflow-instances/${run.id}/pause`, operator)).status).toBe(200);
    expect((await rowOf(run.id)).status).toBe('paused');

    // Resumed while still waiting: mirrored waiting again; paused again before the event arrives.
    expect((await post(`/workflow-instances/${run.id}/resume`, operator)).body.status).toBe('waiting');
    expect((await post(`/workflow-instances/${run.id}/pause`, operator)).status).toBe(200);

    const sent = await post(`/workflow-instances/${run.id}/events`, operator, {
      event: 'ops.approved',
      payload: { ok: true },
      correlation: 'r-1',
    });
    expect(sent.status).toBe(202);
    await eventually(async () => (await stateOf(run.workflow_id)).currentSteps.length === 0);
    await sleep(1000);
    // The wait ended while paused: the row stays paused, and the next step has not started.
    expect((await rowOf(run.id)).status).toBe('paused');
    expect(await tasksOf(run.id)).toEqual([]);
    expect((await stateOf(run.workflow_id)).status).toBe('paused');

    expect((await post(`/workflow-instances/${run.id}/resume`, operator)).body.status).toBe('running');
    await expect(h.client.workflow.getHandle(run.workflow_id).result()).resolves.toEqual({ got: { ok: true } });
  });

  it('refuses what does not apply: 409 for a paused, closed or not paused run, 404 for an unknown one', async () => {
    const run = await start(ids.waits, { ref: 'r-2' });
    await eventually(async () => (await rowOf(run.id)).status === 'waiting');
    const notPaused = await post(`/workflow-instances/${run.id}/resume`, operator);
    expect(notPaused.status).toBe(409);
    expect(notPaused.headers['content-type']).toContain('application/problem+json');
    expect((await post(`/workflow-instances/${run.id}/pause`, operator)).status).toBe(200);
    expect((await post(`/workflow-instances/${run.id}/pause`, operator)).status).toBe(409);
    // A paused run can be cancelled.
    expect((await post(`/workflow-instances/${run.id}/cancel`, operator)).status).toBe(202);
    await eventually(async () => (await rowOf(run.id)).status === 'cancelled');
    expect((await post(`/workflow-instances/${run.id}/pause`, operator)).status).toBe(409);
    expect((await post(`/workflow-instances/${run.id}/resume`, operator)).status).toBe(409);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await post(`/workflow-instances/${unknown}/pause`, operator)).status).toBe(404);
    expect((await post(`/workflow-instances/${unknown}/resume`, operator)).status).toBe(404);
    expect((await post(`/workflow-instances/${run.id}/pause`, viewer)).status).toBe(403);
    const bad = await post(`/workflow-instances/${run.id}/pause`, operator, { reason: 7 });
    expect(bad.status).toBe(422);
  });

  it('records who did what: start, pause, resume, event, cancel, with principals and details', async () => {
    const run = await start(ids.waits, { ref: 'r-3' });
    await eventually(async () => (await rowOf(run.id)).status === 'waiting');
    await post(`/workflow-instances/${run.id}/pause`, operator, { reason: 'look first' });
    await post(`/workflow-instances/${run.id}/resume`, operator);
    await post(`/workflow-instances/${run.id}/events`, operator, { event: 'other.thing', event_id: 'evt-r-3' });
    await post(`/workflow-instances/${run.id}/cancel`, operator);

    const res = await request(api.app).get(`/api/v1/workflow-instances/${run.id}/control-history`).set(viewer.bearer);
    expect(res.status).toBe(200);
    const items = res.body.items as Array<Record<string, unknown>>;
    expect(items.map((i) => i.action)).toEqual(['start', 'pause', 'resume', 'event', 'cancel']);
    for (const i of items) expect(i).toMatchObject({ principal: operator.username, principal_id: operator.userId });
    expect(items[0].details).toMatchObject({ trigger: 'api' });
    expect(items[1].details).toEqual({ reason: 'look first' });
    expect(items[3].details).toMatchObject({ event: 'other.thing', event_id: 'evt-r-3' });

    const view = await request(api.app).get(`/api/v1/workflow-instances/${run.id}`).set(viewer.bearer);
    expect(view.body.control_history_url).toBe(`/api/v1/workflow-instances/${run.id}/control-history`);
    const missing = await request(api.app)
      .get(`/api/v1/workflow-instances/00000000-0000-4000-8000-000000000000/control-history`)
      .set(viewer.bearer);
    expect(missing.status).toBe(404);
  });

  it('records a terminate with its reason, and the platform as the starter of a trigger start', async () => {
    const started = await startRun(h.deps, {
      workflowId: ids.waits,
      input: { ref: 'r-4' },
      trigger: { kind: 'event', eventId: 'evt-start-r-4', triggerId: 'trg-r-4' },
    });
    const terminator = await createTestCaller(api.deps, ['workflow_instances:terminate'], 'terminator');
    const res = await post(`/workflow-instances/${started.instanceId}/terminate`, terminator, { reason: 'stuck' });
    expect(res.status).toBe(200);
    const history = await request(api.app)
      .get(`/api/v1/workflow-instances/${started.instanceId}/control-history`)
      .set(viewer.bearer);
    expect(history.body.items).toEqual([
      expect.objectContaining({
        action: 'start',
        principal: 'system:trigger',
        principal_id: null,
        details: { trigger: 'event', trigger_id: 'trg-r-4', event_id: 'evt-start-r-4' },
      }),
      expect.objectContaining({ action: 'terminate', principal: terminator.username, details: { reason: 'stuck' } }),
    ]);
  });

  it('stays paused when the run continues as new while paused', async () => {
    const started = await startRun(h.deps, {
      workflowId: ids.loop,
      input: {},
      trigger: { kind: 'api' },
      options: { continueAsNewAfterEvents: 8 },
    });
    const handle = h.client.workflow.getHandle(started.workflowId);
    await eventually(async () =>
      (await tasksOf(started.instanceId)).some((t) => t.step_id === 'work' && t.status === 'running'),
    );
    expect((await post(`/workflow-instances/${started.instanceId}/pause`, operator)).status).toBe(200);
    // The task finishes; at the next top-level boundary the long history makes the run continue as new, paused.
    const newRun = await eventually(async () => {
      const d = await handle.describe();
      return d.runId !== started.runId ? d.runId : undefined;
    });
    await eventually(async () => (await rowOf(started.instanceId)).temporal_run_id === newRun);
    await sleep(1000);
    expect((await rowOf(started.instanceId)).status).toBe('paused');
    expect((await stateOf(started.workflowId)).status).toBe('paused');
    expect((await tasksOf(started.instanceId)).filter((t) => t.step_id === 'work')).toHaveLength(1);
    expect((await post(`/workflow-instances/${started.instanceId}/resume`, operator)).status).toBe(200);
    await expect(handle.result()).resolves.toEqual({ i: 2 });
  });
});
