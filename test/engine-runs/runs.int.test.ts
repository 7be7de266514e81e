/**
 * Starting runs and the lifecycle mirror, end to end: startRun -> interpreter -> runTask -> mirror rows,
 * idempotent starts by business key, input validation, cancel / terminate / timeout, reconciliation.
 */
import { randomBytes } from 'node:crypto';
import { applyWorkflowUpdate } from '../../services/mirror/workflow-mirror';
import { reconcile } from '../../services/mirror/reconcile/reconcile';
import { AppError } from '../../common/errors';
import { createLogger } from '../../common/logger';
import { resolveDefinition } from '../../services/definitions';
import { cancelRun, queryRunState, startRun, terminateRun } from '../../services/runs';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

const WI = 'workflow_orchestrator_service.workflow_instances';
const TI = 'task_execution_service.task_instances';
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
jest.setTimeout(60_000);
let h: RunHarness;
const ids = { echo: id('echo'), double: id('double'), sleep: id('sleep'), flow: id('flow'), slow: id('slow') };

beforeAll(async () => {
  h = await startRunHarness();
  await activeTask(h.db, { task_id: ids.echo, type: 'echo' });
  await activeTask(h.db, { task_id: ids.double, type: 'transform', config: { expression: '{ "n": $input.n * 2 }' } });
  await activeTask(h.db, {
    task_id: ids.sleep,
    type: 'code',
    config: { handler: 'sleep' },
    timeouts: { heartbeat: '5s' },
  });
  await activeWorkflow(h.db, {
    workflow_id: ids.flow,
    input_schema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    steps: [
      { id: 'first', type: 'task', task: ids.echo },
      { id: 'second', type: 'task', task: ids.double, input: '{% $steps.first.output %}' },
    ],
  });
  await activeWorkflow(h.db, {
    workflow_id: ids.slow,
    steps: [{ id: 'nap', type: 'task', task: ids.sleep, input: { ms: 20_000 } }],
  });
});

afterAll(() => h?.close());

const row = (instanceId: string) => h.db(WI).where({ id: instanceId }).first();
const settled = (instanceId: string, status: string) =>
  eventually(async () => {
    const r = await row(instanceId);
    return r?.status === status ? r : undefined;
  });

describe('startRun', () => {
  it('runs the definition and mirrors the run and each task execution once', async () => {
    const res = await startRun(h.deps, { workflowId: ids.flow, input: { n: 21 }, correlationKey: 'order-1' });
    expect(res.started).toBe(true);
    await h.client.workflow.getHandle(res.workflowId).result();
    const wi = await settled(res.instanceId, 'completed');
    expect(wi).toMatchObject({
      output: { n: 42 },
      correlation_key: 'order-1',
      temporal_run_id: res.runId,
      definition_version: '1.0.0',
    });
    expect(wi.completed_at).not.toBeNull();
    const tasks = await h.db(TI).where({ workflow_instance_id: res.instanceId }).orderBy('created_at');
    expect(tasks.map((t) => [t.step_id, t.status, t.attempt])).toEqual([
      ['first', 'completed', 1],
      ['second', 'completed', 1],
    ]);
    const desc = await h.client.workflow.getHandle(res.workflowId).describe();
    expect(desc.typedSearchAttributes.get({ name: 'AosDefinitionId', type: 'KEYWORD' } as never)).toBe(ids.flow);
  });

  it('mirrors the start itself: running with its run id as soon as startRun answers, no start marker in the history', async () => {
    const res = await startRun(h.deps, { workflowId: ids.slow, input: {} });
    expect(await row(res.instanceId)).toMatchObject({
      status: 'running',
      temporal_run_id: res.runId,
      mirror_seq: 1,
      variables: {},
      current_steps: [],
    });
    expect((await row(res.instanceId)).started_at).not.toBeNull();
    const handle = h.client.workflow.getHandle(res.workflowId);
    await handle.terminate('test done');
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(0); // the end marker never came: terminated
    // A run that ends on its own writes exactly one marker: its end.
    const done = await startRun(h.deps, { workflowId: ids.flow, input: { n: 1 } });
    const doneHandle = h.client.workflow.getHandle(done.workflowId);
    await doneHandle.result();
    expect(
      ((await doneHandle.fetchHistory()).events ?? []).filter((e) => e.markerRecordedEventAttributes),
    ).toHaveLength(1);
    expect(await settled(done.instanceId, 'completed')).toMatchObject({ mirror_seq: 2, temporal_run_id: done.runId });
  });

  it('answers a duplicate start with the same business key with the existing run', async () => {
    const req = { workflowId: ids.flow, input: { n: 1 }, businessKey: 'invoice-7' };
    const [a, b] = await Promise.all([startRun(h.deps, req), startRun(h.deps, req)]);
    expect(a.instanceId).toBe(b.instanceId);
    expect(a.runId).toBe(b.runId);
    expect([a.started, b.started].sort()).toEqual([false, true]);
    expect(a.workflowId).toBe(`${ids.flow}:invoice-7`);
    await h.client.workflow.getHandle(a.workflowId).result();
    const again = await startRun(h.deps, req); // after completion too: the key names that run forever
    expect(again).toMatchObject({ instanceId: a.instanceId, started: false });
    expect(await h.db(WI).where({ business_key: 'invoice-7' }).count('* as n').first()).toEqual({ n: 1 });
  });

  it('rejects input that violates the input_schema with 422 and writes nothing', async () => {
    const before = await h.db(WI).where({ definition_workflow_id: ids.flow }).count('* as n').first();
    const err = await startRun(h.deps, { workflowId: ids.flow, input: { n: 'x' }, inputPointer: '/body/input' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(422);
    expect(err.errors).toEqual([expect.objectContaining({ pointer: '/body/input/n' })]);
    expect(await h.db(WI).where({ definition_workflow_id: ids.flow }).count('* as n').first()).toEqual(before);
  });

  it('answers 404 for an unknown definition', async () => {
    await expect(startRun(h.deps, { workflowId: 'nope-nope', input: {} })).rejects.toMatchObject({ status: 404 });
  });
});

describe('run control and mirror of runs that end outside the interpreter', () => {
  it('exposes live state, then cancels: the mirror says cancelled and the task row is closed', async () => {
    const res = await startRun(h.deps, { workflowId: ids.slow, input: {} });
    const state = await eventually(async () => {
      const s = await queryRunState(h.deps, res.instanceId).catch(() => undefined);
      return s?.currentSteps.includes('nap') ? s : undefined;
    });
    expect(state).toMatchObject({ status: 'running', source: 'temporal' });
    await cancelRun(h.deps, res.instanceId);
    await settled(res.instanceId, 'cancelled');
    const [task] = await eventually(async () => {
      const t = await h.db(TI).where({ workflow_instance_id: res.instanceId });
      return t[0]?.status === 'cancelled' ? t : undefined;
    });
    expect(task.step_id).toBe('nap');
  });

  it('terminate is mirrored at once; a repeat is a 409', async () => {
    const res = await startRun(h.deps, { workflowId: ids.slow, input: {} });
    await settled(res.instanceId, 'running');
    const r = await terminateRun(h.deps, res.instanceId, 'test says stop');
    expect(r).toMatchObject({ status: 'terminated', error: { type: 'Terminated', message: 'test says stop' } });
    await expect(terminateRun(h.deps, res.instanceId)).rejects.toMatchObject({ status: 409 });
  });

  it('the reconciler mirrors a terminate done behind the API and a run timeout, and closes their task rows', async () => {
    const killed = await startRun(h.deps, { workflowId: ids.slow, input: {} });
    await eventually(
      async () => (await h.db(TI).where({ workflow_instance_id: killed.instanceId, status: 'running' }))[0],
    );
    await h.client.workflow.getHandle(killed.workflowId).terminate('from the CLI');

    const resolved = await resolveDefinition(h.db, ids.slow);
    const timedOutId = crypto.randomUUID();
    await h.client.workflow.start('interpreterWorkflow', {
      taskQueue: h.config.taskQueue,
      workflowId: `${ids.slow}:${timedOutId}`,
      workflowExecutionTimeout: '2s',
      args: [
        {
          instanceId: timedOutId,
          definitionRowId: resolved.definitionRowId,
          definition: resolved.definition,
          tasks: resolved.tasks,
          input: {},
        },
      ],
    });
    await settled(timedOutId, 'running');
    await new Promise((r) => setTimeout(r, 2_500));

    const report = await reconcile(
      { db: h.db, temporal: h.client, logger: createLogger({ level: 'silent' }) },
      { settleMs: 0 },
    );
    expect(report.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ instanceId: killed.instanceId, temporalStatus: 'TERMINATED', fixedTo: 'terminated' }),
        expect.objectContaining({ instanceId: timedOutId, temporalStatus: 'TIMED_OUT', fixedTo: 'timed_out' }),
      ]),
    );
    expect((await row(killed.instanceId)).status).toBe('terminated');
    expect((await row(timedOutId)).status).toBe('timed_out');
    expect((await h.db(TI).where({ workflow_instance_id: timedOutId }).first()).status).toBe('timed_out');
    expect((await h.db(TI).where({ workflow_instance_id: killed.instanceId }).first()).status).toBe('cancelled');
    const second = await reconcile(
      { db: h.db, temporal: h.client, logger: createLogger({ level: 'silent' }) },
      { settleMs: 0 },
    );
    expect(second.drift.filter((d) => [killed.instanceId, timedOutId].includes(d.instanceId))).toEqual([]);
  });

  it('the reconciler finishes a start its starter died in: running when Temporal has the run, failed when it never got it', async () => {
    const resolved = await resolveDefinition(h.db, ids.slow);
    const pendingRow = (instanceId: string, workflowId: string, createdAt = new Date()) =>
      h.db(WI).insert({
        id: instanceId,
        temporal_workflow_id: workflowId,
        workflow_definition_id: resolved.definitionRowId,
        definition_workflow_id: ids.slow,
        definition_version: '1.0.0',
        status: 'pending',
        mirror_seq: 0,
        created_at: createdAt,
      });
    // Died after Temporal's start, before markRunStarted: the row is pending without a run id.
    const startedId = crypto.randomUUID();
    await pendingRow(startedId, `${ids.slow}:${startedId}`);
    const handle = await h.client.workflow.start('interpreterWorkflow', {
      taskQueue: h.config.taskQueue,
      workflowId: `${ids.slow}:${startedId}`,
      args: [
        {
          instanceId: startedId,
          definitionRowId: resolved.definitionRowId,
          definition: resolved.definition,
          tasks: resolved.tasks,
          input: {},
          startMirrored: true,
        },
      ],
    });
    // Died before Temporal's start, two minutes ago: no run will ever come.
    const lostId = crypto.randomUUID();
    await pendingRow(lostId, `${ids.slow}:${lostId}`, new Date(Date.now() - 120_000));

    const report = await reconcile(
      { db: h.db, temporal: h.client, logger: createLogger({ level: 'silent' }) },
      { settleMs: 0 },
    );
    expect(report.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ instanceId: startedId, temporalStatus: 'RUNNING', fixedTo: 'running' }),
        expect.objectContaining({ instanceId: lostId, temporalStatus: 'NOT_FOUND', fixedTo: 'failed' }),
      ]),
    );
    expect(await row(startedId)).toMatchObject({
      status: 'running',
      temporal_run_id: handle.firstExecutionRunId,
      mirror_seq: 1,
    });
    expect(await row(lostId)).toMatchObject({ status: 'failed', error: { type: 'StartLost' } });
    await handle.terminate('test done');
  });
});

describe('mirror ordering', () => {
  it('a late lower-seq write never regresses the row, a repeat is a no-op, terminal is final', async () => {
    const res = await startRun(h.deps, { workflowId: ids.flow, input: { n: 2 } });
    await settled(res.instanceId, 'completed');
    const base = {
      instanceId: res.instanceId,
      workflowId: res.workflowId,
      runId: res.runId,
      at: new Date().toISOString(),
    };
    const current = await row(res.instanceId);
    expect(await applyWorkflowUpdate(h.db, { ...base, seq: 1, status: 'running' })).toBe(false);
    expect(await applyWorkflowUpdate(h.db, { ...base, seq: current.mirror_seq, status: 'running' })).toBe(false);
    expect(await applyWorkflowUpdate(h.db, { ...base, seq: current.mirror_seq + 10, status: 'running' })).toBe(false);
    expect((await row(res.instanceId)).status).toBe('completed');
  });

  it('applies newer writes in seq order, whichever order they arrive in', async () => {
    const res = await startRun(h.deps, { workflowId: ids.slow, input: {} });
    await settled(res.instanceId, 'running');
    await terminateRun(h.deps, res.instanceId).catch(() => undefined);
    // A fresh row driven only by mirror writes: seq 3 (waiting) arrives before seq 2 (running).
    const instanceId = crypto.randomUUID();
    const start = { definitionId: ids.flow, definitionVersion: '1.0.0', input: {} };
    const base = { instanceId, workflowId: `manual:${instanceId}`, runId: 'r1', at: new Date().toISOString() };
    expect(await applyWorkflowUpdate(h.db, { ...base, seq: 1, status: 'running', start })).toBe(true);
    expect(await applyWorkflowUpdate(h.db, { ...base, seq: 3, status: 'waiting', currentSteps: ['wait'] })).toBe(true);
    expect(await applyWorkflowUpdate(h.db, { ...base, seq: 2, status: 'running', currentSteps: ['x'] })).toBe(false);
    expect(await row(instanceId)).toMatchObject({ status: 'waiting', current_steps: ['wait'], mirror_seq: 3 });
    expect(
      await applyWorkflowUpdate(h.db, { ...base, seq: 4, status: 'failed', error: { type: 'Boom', message: 'x' } }),
    ).toBe(true);
    expect(await row(instanceId)).toMatchObject({ status: 'failed', current_steps: [], error: { type: 'Boom' } });
  });
});
