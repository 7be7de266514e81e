/**
 * POST /workflow-instances/{id}/events (#15 item 2): an operator sends an event straight to one run. The wait
 * takes it by its pattern and correlation (default: the run's correlation key); closed runs answer 409.
 */
import request from 'supertest';
import { startRun } from '../../services/runs';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(60_000);

let h: RunHarness;
let api: TestApi;
let operator: TestCaller;
const FLOW = `directed-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  h = await startRunHarness();
  api = await createTestApi({ config: { TASK_QUEUE: h.config.taskQueue } });
  operator = await createTestCaller(api.deps, ['workflow_instances:signal', 'workflow_instances:read'], 'operator');
  await activeWorkflow(h.db, {
    workflow_id: FLOW,
    steps: [
      { id: 'approval', type: 'wait_for_event', event: 'ops.approved', correlation: '{% $input.ref %}' },
      {
        id: 'done',
        type: 'succeed',
        output: { got: '{% $steps.approval.output %}', by: '{% $event.metadata.sentBy %}' },
      },
    ],
  } as never);
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

const send = (id: string, body: object) =>
  request(api.app).post(`/api/v1/workflow-instances/${id}/events`).set(operator.bearer).send(body);

async function waitingRun(ref: string, correlationKey?: string) {
  const started = await startRun(h.deps, {
    workflowId: FLOW,
    input: { ref },
    ...(correlationKey && { correlationKey }),
    trigger: { kind: 'api' },
  });
  return { id: started.instanceId, handle: h.client.workflow.getHandle(started.workflowId) };
}

describe('POST /workflow-instances/{id}/events', () => {
  it("resumes the run's wait; the correlation defaults to the run's key; the sender is recorded", async () => {
    const { id, handle } = await waitingRun('k-1', 'k-1');
    const res = await send(id, { event: 'ops.approved', payload: { ok: true } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      instance_id: id,
      pattern: 'ops.approved',
      correlation: 'k-1',
      sent_by: operator.username,
    });
    await expect(handle.result()).resolves.toEqual({ got: { ok: true }, by: operator.username });
    const late = await send(id, { event: 'ops.approved' });
    expect(late.status).toBe(409);
    expect(late.headers['content-type']).toContain('application/problem+json');
  });

  it("takes an explicit correlation when the wait's differs from the run's key; a repeated event id counts once", async () => {
    const { id, handle } = await waitingRun('order-7', 'customer-3');
    const status = async () => ((await handle.query('aosState')) as { status: string }).status;
    await eventually(async () => (await status()) === 'waiting');
    // Wrong correlation (the run's key): kept by the run, not taken by the wait.
    expect((await send(id, { event: 'ops.approved', payload: { n: 1 } })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect(await status()).toBe('waiting');
    const body = { event: 'ops.approved', payload: { n: 2 }, correlation: 'order-7', event_id: 'ops-approval-7' };
    expect((await send(id, body)).status).toBe(202);
    expect((await send(id, { ...body, payload: { n: 3 } })).status).toBe(202);
    await expect(handle.result()).resolves.toMatchObject({ got: { n: 2 } });
  });

  it('422 with the field for a bad body, 404 for an unknown run, 403 without the permission', async () => {
    const { id } = await waitingRun('k-9');
    const bad = await send(id, { event: 'not an event name', extra: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/event', '/body/extra']);
    expect((await send('00000000-0000-4000-8000-000000000000', { event: 'ops.approved' })).status).toBe(404);
    const reader = await createTestCaller(api.deps, ['workflow_instances:read'], 'reader');
    const refused = await request(api.app)
      .post(`/api/v1/workflow-instances/${id}/events`)
      .set(reader.bearer)
      .send({ event: 'ops.approved' });
    expect(refused.status).toBe(403);
  });
});
