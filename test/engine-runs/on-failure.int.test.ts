/**
 * `on_failure` (#15 item 6): a run that fails for good (failed or timed out) runs its handler exactly once before it
 * ends: a child run of another definition (abandoned: it outlives the failed run) or an event. Completed and cancelled
 * runs run none; a handler that fails is recorded on the run's error and leaves the run's failure as it was.
 */
import { randomBytes } from 'node:crypto';
import { createWorkflowDefinition } from '../../services/definitions';
import { createEventDefinition } from '../../services/definitions/event-definitions';
import { cancelRun, startRun } from '../../services/runs';
import { getWorkflowInstance } from '../../db/repositories/workflow-instances';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(90_000);

const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const ids = {
  handler: id('incident'),
  fails: id('fails'),
  succeeds: id('succeeds'),
  waits: id('waits'),
  times: id('times'),
  emits: id('emits'),
  broken: id('broken'),
};
const EVENT = `ops.failed.${randomBytes(3).toString('hex')}`;
const WF = 'workflow_orchestrator_service.workflow_instances';
let h: RunHarness;

const childHandler = { type: 'sub_workflow', workflow: ids.handler } as const;

beforeAll(async () => {
  h = await startRunHarness();
  await createEventDefinition(h.db, { event_id: id('failed'), name: 'failed', pattern: EVENT, version: '1.0.0' });
  await activeWorkflow(h.db, {
    workflow_id: ids.handler,
    steps: [{ id: 'note', type: 'succeed', output: { got: '{% $input %}' } }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.fails,
    on_failure: childHandler,
    steps: [{ id: 'boom', type: 'fail', error: 'OrderRejected', message: 'no stock for {% $input.sku %}' }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.succeeds,
    on_failure: childHandler,
    steps: [{ id: 'ok', type: 'set', vars: { x: 1 } }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.waits,
    on_failure: childHandler,
    steps: [{ id: 'w', type: 'wait_for_event', event: 'never.comes' }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.times,
    timeout: '1s',
    on_failure: { ...childHandler, input: { why: '{% $failure.type %}', sku: '{% $input.sku %}' } },
    steps: [{ id: 'w', type: 'wait_for_event', event: 'never.comes' }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.emits,
    on_failure: {
      type: 'emit_event',
      event: EVENT,
      payload: { instance: '{% $workflow.instanceId %}', message: '{% $failure.message %}' },
    },
    steps: [{ id: 'boom', type: 'fail', error: 'Broken', message: 'it broke' }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.broken,
    on_failure: { ...childHandler, input: '{% $error("handler input exploded") %}' },
    steps: [{ id: 'boom', type: 'fail', error: 'Original', message: 'the real failure' }],
  } as never);
});

afterAll(async () => {
  await h?.close();
});

const run = (workflowId: string, input: object = {}) =>
  startRun(h.deps, { workflowId, input, trigger: { kind: 'api' } });
const outcome = (workflowId: string) =>
  h.client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => 'completed',
      () => 'failed',
    );
const childrenOf = (instanceId: string) => h.db(WF).where({ parent_instance_id: instanceId });
const settle = () => new Promise((r) => setTimeout(r, 1000));

describe('on_failure', () => {
  it('starts the handler definition once, as an abandoned child with the failure as input', async () => {
    const started = await run(ids.fails, { sku: 'A-1' });
    expect(await outcome(started.workflowId)).toBe('failed');
    const row = await getWorkflowInstance(h.db, started.instanceId);
    expect(row?.status).toBe('failed');
    expect(row?.error).toMatchObject({ type: 'OrderRejected', message: 'no stock for A-1' });
    const children = await eventually(async () => {
      const rows = await childrenOf(started.instanceId);
      return rows.length > 0 && rows[0].status === 'completed' ? rows : undefined;
    });
    expect(children).toHaveLength(1);
    expect(children[0].definition_workflow_id).toBe(ids.handler);
    expect(children[0].trigger).toMatchObject({ kind: 'on_failure', parentInstanceId: started.instanceId });
    expect(children[0].output).toEqual({
      got: {
        failure: expect.objectContaining({ type: 'OrderRejected', message: 'no stock for A-1' }),
        instance_id: started.instanceId,
        workflow_id: ids.fails,
        version: '1.0.0',
        input: { sku: 'A-1' },
      },
    });
    expect(row?.error).toMatchObject({ on_failure: { type: 'sub_workflow', instance_id: children[0].id } });
    await settle();
    expect(await childrenOf(started.instanceId)).toHaveLength(1);
  });

  it('runs for a run that timed out, with its template', async () => {
    const started = await run(ids.times, { sku: 'T-9' });
    expect(await outcome(started.workflowId)).toBe('failed');
    const [child] = await eventually(async () => {
      const rows = await childrenOf(started.instanceId);
      return rows.length > 0 && rows[0].status === 'completed' ? rows : undefined;
    });
    expect(child.output).toEqual({ got: { why: 'Timeout', sku: 'T-9' } });
    expect(await childrenOf(started.instanceId)).toHaveLength(1);
  });

  it('does not run for a completed or a cancelled run', async () => {
    const ok = await run(ids.succeeds);
    expect(await outcome(ok.workflowId)).toBe('completed');
    const waiting = await run(ids.waits);
    await eventually(async () => (await getWorkflowInstance(h.db, waiting.instanceId))?.status === 'waiting');
    await cancelRun(h.deps, waiting.instanceId);
    await eventually(async () => (await getWorkflowInstance(h.db, waiting.instanceId))?.status === 'cancelled');
    await settle();
    expect(await childrenOf(ok.instanceId)).toHaveLength(0);
    expect(await childrenOf(waiting.instanceId)).toHaveLength(0);
  });

  it('emits the handler event once', async () => {
    const started = await run(ids.emits);
    expect(await outcome(started.workflowId)).toBe('failed');
    const events = await eventually(async () => {
      const rows = await h.db('event_processing_service.event_instances').where({ pattern: EVENT });
      return rows.length > 0 ? rows : undefined;
    });
    await settle();
    expect(await h.db('event_processing_service.event_instances').where({ pattern: EVENT })).toHaveLength(1);
    expect(events[0].payload).toEqual({ instance: started.instanceId, message: 'it broke' });
    const row = await getWorkflowInstance(h.db, started.instanceId);
    expect(row?.error).toMatchObject({
      type: 'Broken',
      on_failure: { type: 'emit_event', event: EVENT, event_id: events[0].event_id },
    });
  });

  it('records a handler that fails and keeps the run failure as it was', async () => {
    const started = await run(ids.broken);
    expect(await outcome(started.workflowId)).toBe('failed');
    const row = await getWorkflowInstance(h.db, started.instanceId);
    expect(row?.error).toMatchObject({
      type: 'Original',
      message: 'the real failure',
      on_failure: { type: 'sub_workflow', error: { message: expect.stringContaining('handler input exploded') } },
    });
    expect(await childrenOf(started.instanceId)).toHaveLength(0);
  });

  it('refuses a definition whose handler workflow does not exist (422 pointer /on_failure/workflow)', async () => {
    await expect(
      createWorkflowDefinition(h.db, {
        workflow_id: id('orphan'),
        name: 'orphan',
        version: '1.0.0',
        on_failure: { type: 'sub_workflow', workflow: id('nowhere') },
        steps: [{ id: 's', type: 'set', vars: { x: 1 } }],
      }),
    ).rejects.toMatchObject({
      status: 422,
      errors: [expect.objectContaining({ pointer: '/body/on_failure/workflow' })],
    });
  });
});
