/**
 * Run flow control (#15): a definition's `concurrency` limit holds whoever starts, queued starts begin in order
 * as runs close, per key, and the `reject` and `cancel_oldest` policies; a queued run can be cancelled; the
 * definition's priority reaches Temporal. Real Temporal, real PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import request from 'supertest';
import { AppError } from '../../common/errors';
import type { WorkflowDefinition } from '../../common/definitions/types';
import { createDb } from '../../db/connection';
import { cancelRun, startRun, terminateRun, type RunDeps, type StartRunResult } from '../../services/runs';
import { sweepRunQueues } from '../../services/runs/flow-control';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { TEST_ENV } from '../harness-state';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

const WI = 'workflow_orchestrator_service.workflow_instances';
const OPEN = ['pending', 'running', 'waiting', 'paused'];
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
jest.setTimeout(120_000);

let h: RunHarness;
/** The starters' own pool, so 50 concurrent starts do not starve the worker's mirror writes. */
let starterDb: Knex;
let deps: RunDeps;
let api: TestApi;
let operator: TestCaller;

beforeAll(async () => {
  h = await startRunHarness();
  starterDb = createDb({ url: process.env[TEST_ENV.databaseUrl]!, poolMax: 10 });
  deps = { ...h.deps, db: starterDb };
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  operator = await createTestCaller(
    api.deps,
    ['workflow_instances:start', 'workflow_instances:read', 'workflow_instances:cancel'],
    'flow-operator',
  );
});

afterAll(async () => {
  await api?.close();
  await starterDb?.destroy();
  await h?.close();
});

/** A definition whose runs take `delay`, under `concurrency`. */
async function limited(
  name: string,
  concurrency: NonNullable<WorkflowDefinition['concurrency']>,
  delay = '300ms',
  extra: Partial<WorkflowDefinition> = {},
): Promise<string> {
  const workflowId = id(name);
  await activeWorkflow(h.db, {
    workflow_id: workflowId,
    concurrency,
    steps: [{ id: 'hold', type: 'delay', duration: delay }],
    ...extra,
  });
  return workflowId;
}

const rowsOf = (workflowId: string) => h.db(WI).where({ definition_workflow_id: workflowId });
const statusOf = async (instanceId: string): Promise<string> =>
  (await h.db(WI).where({ id: instanceId }).first()).status;
const openCount = async (workflowId: string, key?: string): Promise<number> => {
  const q = rowsOf(workflowId).whereIn('status', OPEN);
  if (key !== undefined) q.where({ concurrency_key: key });
  return Number((await q.count({ n: '*' }))[0].n);
};

describe('run concurrency limits', () => {
  it('never has more than 3 of 50 concurrent starts open, and starts the queued ones in queue order', async () => {
    const workflowId = await limited('limit3', { limit: 3 });
    let max = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        max = Math.max(max, await openCount(workflowId));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => startRun(deps, { workflowId, input: { i } })),
    );
    expect(results.filter((r) => r.outcome === 'started').length).toBeGreaterThanOrEqual(3);
    expect(results.filter((r) => r.outcome === 'queued').length).toBeGreaterThan(0);
    for (const q of results.filter((r) => r.outcome === 'queued'))
      expect(q).toMatchObject({ runId: '', started: false });
    await eventually(
      async () => Number((await rowsOf(workflowId).where({ status: 'completed' }).count({ n: '*' }))[0].n) === 50,
      90_000,
    );
    sampling = false;
    await sampler;
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(3);

    // Promotions happen one at a time under the pair's lock: queue order is start order.
    const queued = (await rowsOf(workflowId).whereNotNull('queue_seq')) as Array<{
      id: string;
      queue_seq: number;
      started_at: Date;
    }>;
    expect(queued.length).toBe(results.filter((r) => r.outcome === 'queued').length);
    const bySeq = [...queued].sort((a, b) => a.queue_seq - b.queue_seq).map((r) => r.id);
    const dequeued = (await h
      .db('workflow_orchestrator_service.workflow_control_actions')
      .whereIn(
        'workflow_instance_id',
        queued.map((r) => r.id),
      )
      .where({ action: 'dequeue', principal: 'system:flow-control' })
      .orderBy('at')) as Array<{ workflow_instance_id: string }>;
    expect(dequeued.map((d) => d.workflow_instance_id)).toEqual(bySeq);
    const byStart = [...queued].sort((a, b) => a.started_at.getTime() - b.started_at.getTime()).map((r) => r.id);
    expect(byStart).toEqual(bySeq);
  });

  it('limits each key on its own: two keys run side by side, each with one run open', async () => {
    const workflowId = await limited('per-key', { limit: 1, key: '{% $input.customer %}' }, '1500ms');
    const start = (customer: string) => startRun(deps, { workflowId, input: { customer } });
    const [a1, b1] = await Promise.all([start('a'), start('b')]);
    const [a2, b2] = await Promise.all([start('a'), start('b')]);
    expect([a1.outcome, b1.outcome, a2.outcome, b2.outcome]).toEqual(['started', 'started', 'queued', 'queued']);
    expect(await openCount(workflowId, 'a')).toBe(1);
    expect(await openCount(workflowId, 'b')).toBe(1);
    await eventually(
      async () => (await statusOf(a2.instanceId)) === 'completed' && (await statusOf(b2.instanceId)) === 'completed',
      30_000,
    );
    const row = await h.db(WI).where({ id: a2.instanceId }).first();
    expect(row.concurrency_key).toBe('a');
  });

  it('answers a key that cannot be evaluated over the input with 422 at the input, writing nothing', async () => {
    const workflowId = await limited('bad-key', { limit: 1, key: '{% $input.customer.id %}' });
    const err = await startRun(deps, { workflowId, input: {}, inputPointer: '/body/input' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 422, errors: [{ pointer: '/body/input' }] });
    expect(await rowsOf(workflowId)).toHaveLength(0);
  });

  it('rejects a start when full (reject): 409 naming the limit, and nothing written', async () => {
    const workflowId = await limited('reject', { limit: 1, when_full: 'reject' }, '10m');
    const first = await startRun(deps, { workflowId, input: {} });
    expect(first.outcome).toBe('started');
    const err = await startRun(deps, { workflowId, input: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 409 });
    expect((err as Error).message).toMatch(/allows 1 open run/);
    expect(await rowsOf(workflowId)).toHaveLength(1);
    await terminateRun(deps, first.instanceId);
  });

  it('cancels the oldest open run for a new start (cancel_oldest), which then starts', async () => {
    const workflowId = await limited('cancel-oldest', { limit: 1, when_full: 'cancel_oldest' }, '10m');
    const oldest = await startRun(deps, { workflowId, input: {} });
    const newer = await startRun(deps, { workflowId, input: {} });
    expect(newer.outcome).toBe('queued');
    await eventually(async () => (await statusOf(oldest.instanceId)) === 'cancelled');
    await eventually(async () => (await statusOf(newer.instanceId)) === 'running');
    const history = await h
      .db('workflow_orchestrator_service.workflow_control_actions')
      .where({ workflow_instance_id: oldest.instanceId, action: 'cancel' });
    expect(history).toEqual([expect.objectContaining({ principal: 'system:flow-control' })]);
    await terminateRun(deps, newer.instanceId);
  });

  it('cancels a queued run without Temporal, and answers a duplicate start of a queued run with that row', async () => {
    const workflowId = await limited('cancel-queued', { limit: 1 }, '10m');
    const running = await startRun(deps, { workflowId, input: {} });
    const queued = await startRun(deps, { workflowId, input: {}, businessKey: 'bk' });
    expect(queued).toMatchObject({ outcome: 'queued', started: false });
    await expect(startRun(deps, { workflowId, input: {}, businessKey: 'bk' })).resolves.toMatchObject<
      Partial<StartRunResult>
    >({ outcome: 'duplicate', instanceId: queued.instanceId, runId: '' });
    await expect(cancelRun(deps, queued.instanceId)).resolves.toMatchObject({ status: 'cancelled' });
    await expect(h.client.workflow.getHandle(queued.workflowId).describe()).rejects.toThrow();
    // Its slot was never taken: once the running one ends, nothing is promoted and a new start begins at once.
    await terminateRun(deps, running.instanceId);
    expect(await statusOf(queued.instanceId)).toBe('cancelled');
    await expect(startRun(deps, { workflowId, input: {} })).resolves.toMatchObject({ outcome: 'started' });
    for (const r of await rowsOf(workflowId).whereIn('status', OPEN)) await terminateRun(deps, r.id);
  });

  it('counts a queued run as live for an exclusive (trigger) start of its correlation key, with nothing to signal', async () => {
    const workflowId = await limited('exclusive', { limit: 1 }, '10m');
    const running = await startRun(deps, { workflowId, input: {}, correlationKey: 'other' });
    const queued = await startRun(deps, { workflowId, input: {}, correlationKey: 'order-1' });
    expect(queued.outcome).toBe('queued');
    await expect(
      startRun(deps, { workflowId, input: {}, correlationKey: 'order-1', exclusive: true }),
    ).resolves.toEqual({ outcome: 'live', liveWorkflowIds: [] });
    expect(await rowsOf(workflowId)).toHaveLength(2);
    await cancelRun(deps, queued.instanceId);
    await terminateRun(deps, running.instanceId);
  });

  it('promotes the next queued run when a run is terminated, and the sweep promotes what a lost close left', async () => {
    const workflowId = await limited('terminate', { limit: 1 }, '10m', { priority: 2 });
    const first = await startRun(deps, { workflowId, input: {} });
    const second = await startRun(deps, { workflowId, input: {} });
    const third = await startRun(deps, { workflowId, input: {} });
    expect([second.outcome, third.outcome]).toEqual(['queued', 'queued']);
    await terminateRun(deps, first.instanceId);
    expect(await statusOf(second.instanceId)).toBe('running');
    expect(await statusOf(third.instanceId)).toBe('queued');
    const described = await h.client.workflow.getHandle(second.workflowId).describe();
    expect(described.raw.workflowExecutionInfo?.priority?.priorityKey).toBe(2);
    expect((await h.db(WI).where({ id: second.instanceId }).first()).priority).toBe(2);

    // A close the platform did not see (terminated in Temporal directly): the reconcile loop's sweep promotes.
    await h.client.workflow.getHandle(second.workflowId).terminate('behind the platform');
    await h.db(WI).where({ id: second.instanceId }).update({ status: 'terminated', completed_at: new Date() });
    expect(await sweepRunQueues(deps)).toBeGreaterThanOrEqual(1);
    expect(await statusOf(third.instanceId)).toBe('running');
    await terminateRun(deps, third.instanceId);
  });

  it('answers a queued start over the API with 202 and status queued, lists it, answers its state from the mirror, cancels it', async () => {
    const workflowId = await limited('api', { limit: 1, when_full: 'queue' }, '10m');
    const start = () =>
      request(api.app).post(`/api/v1/workflow-definitions/${workflowId}/runs`).set(operator.bearer).send({ input: {} });
    const first = await start();
    expect(first.status).toBe(201);
    const second = await start();
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ status: 'queued', run_id: null, concurrency_key: '' });
    expect(second.body.queue_seq).toEqual(expect.any(Number));
    const listed = await request(api.app)
      .get('/api/v1/workflow-instances')
      .query({ status: 'queued', definition: workflowId })
      .set(operator.bearer);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([second.body.id]);
    const state = await request(api.app).get(`/api/v1/workflow-instances/${second.body.id}/state`).set(operator.bearer);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ status: 'queued', currentSteps: [], source: 'mirror' });
    const cancelled = await request(api.app)
      .post(`/api/v1/workflow-instances/${second.body.id}/cancel`)
      .set(operator.bearer);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('cancelled');
    await terminateRun(deps, first.body.id);
  });
});
