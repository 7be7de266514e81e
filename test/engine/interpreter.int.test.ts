/**
 * The interpreter against the real dev server: every step type, data flow through expressions, retries,
 * catch, timeouts, cancellation, sub-workflows, continue-as-new and buffered signals.
 */
import type { Client } from '@temporalio/client';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { aosEventSignal, aosStateQuery, pauseUpdate, resumeUpdate } from '../../workflows/api';
import { createTestClient, startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { createFakeActivities, type FakeLog } from './fake-activities';
import { startScenario } from './run-scenario';
import { CHILD_DEFINITIONS, SCENARIOS, type Scenario } from './scenarios';

const taskQueue = uniqueTaskQueue('engine');
let client: Client;
let worker: RunningTestWorker;
let log: FakeLog;

beforeAll(async () => {
  const fakes = createFakeActivities(CHILD_DEFINITIONS, [
    { eventId: 'early-1', pattern: 'payment.settled', payload: { amount: 10 }, metadata: { correlationKey: 'pay-1' } },
  ]);
  log = fakes.log;
  client = await createTestClient();
  worker = await startTestWorker({ taskQueue, activities: fakes.activities });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
});

async function run(name: string, s: Scenario = SCENARIOS[name]) {
  const { handle, input } = await startScenario(client, taskQueue, name, s);
  return { handle, input, result: handle.result() };
}

const mirrorOf = (workflowId: string) => log.mirror.filter((m) => m.workflowId === workflowId);

describe('data flow and step types', () => {
  it('passes data through $input, $vars, $steps, result_var, output mappings and $workflow', async () => {
    const { input, result } = await run('task-data-flow');
    await expect(result).resolves.toEqual({
      total: 10,
      count: 2,
      label: 'order o-1 for cust-7',
      instance: input.instanceId,
    });
  });

  it('mirrors running then completed, with increasing seq and the start context on the first write', async () => {
    const { handle, input, result } = await run('task-data-flow');
    await result;
    const writes = mirrorOf(handle.workflowId);
    expect(writes.map((w) => [w.status, w.seq])).toEqual([
      ['running', 1],
      ['completed', 2],
    ]);
    expect(writes[0].start).toMatchObject({
      definitionId: 'task-data-flow',
      definitionVersion: '1.0.0',
      correlationKey: 'cust-7',
      trigger: { kind: 'api' },
    });
    expect(writes[0].instanceId).toBe(input.instanceId);
    expect(writes[1].output).toMatchObject({ total: 10 });
  });

  it('writes no start marker when the starter mirrored the start: its first write is the end, at seq 2', async () => {
    const { handle, result } = await run('starter-mirrored');
    await expect(result).resolves.toBe(4);
    expect(mirrorOf(handle.workflowId).map((w) => [w.status, w.seq, 'start' in w])).toEqual([['completed', 2, false]]);
  });

  it("evaluates the definition's vars once at start, and a set step assigns all its entries at once", async () => {
    const { handle, result } = await run('evaluated-vars');
    await expect(result).resolves.toEqual({ a: 2, b: 1, sum: 3, who: 'run of evaluated-vars', n: 0 });
    // The starter mirrored the definition's vars as written: the run mirrors the evaluated ones before its first step.
    expect(mirrorOf(handle.workflowId).map((w) => [w.status, w.seq, w.variables])).toEqual([
      ['running', 2, { a: 1, b: 2, who: 'run of evaluated-vars', n: 0 }],
      ['completed', 3, { a: 2, b: 1, sum: 3, who: 'run of evaluated-vars', n: 0 }],
    ]);
  });

  it("fails the run with ExpressionError when the definition's vars cannot be evaluated, after mirroring its start", async () => {
    const broken: Scenario = {
      definition: { ...SCENARIOS['evaluated-vars'].definition, vars: { x: '{% $error("no x") %}' } },
    };
    const { handle, result } = await run('evaluated-vars', broken);
    const err = await result.catch((e: unknown) => e);
    expect((err as { cause?: ApplicationFailure }).cause?.type).toBe('ExpressionError');
    expect(mirrorOf(handle.workflowId).map((w) => [w.status, w.error?.type])).toEqual([
      ['running', undefined],
      ['failed', 'ExpressionError'],
    ]);
  });

  it('switch takes the first matching case', async () => {
    await expect(run('switch').then((r) => r.result)).resolves.toBe('big');
    const small = { ...SCENARIOS.switch, input: { amount: 1 } };
    await expect(run('switch', small).then((r) => r.result)).resolves.toBe('small');
  });

  it('parallel joins all branches and keys outputs by branch id', async () => {
    await expect(run('parallel').then((r) => r.result)).resolves.toEqual({ left: 8, right: 1 });
  });

  it('foreach keeps item order, respects the concurrency bound and sees its own iteration $steps', async () => {
    log.maxInFlight = 0;
    await expect(run('foreach').then((r) => r.result)).resolves.toEqual([20, 42, 64, 86, 108]);
    expect(log.maxInFlight).toBe(2);
  });

  it('delay sleeps for a duration and until a timestamp', async () => {
    const started = Date.now();
    await expect(run('delay').then((r) => r.result)).resolves.toBe('slept');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("expressions read the run's deterministic clock and seeded randomness, not the machine's", async () => {
    const { handle, result } = await run('sandbox-clock');
    const out = (await result) as { t0: number; t1: number; now: string; r: number };
    // Workflow time is the start time of the workflow task being processed: the first one, then the one after the timer.
    const events = (await handle.fetchHistory()).events ?? [];
    const taskStarts = events
      .filter((e) => e.workflowTaskStartedEventAttributes)
      .map((e) => ({
        id: Number(e.eventId),
        ms: Number(e.eventTime?.seconds) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6),
      }));
    const timerFired = Number(events.find((e) => e.timerFiredEventAttributes)?.eventId);
    expect(out.t0).toBe(taskStarts[0].ms);
    expect(out.t1).toBe(taskStarts.find((t) => t.id > timerFired)?.ms);
    expect(new Date(out.now).getTime()).toBe(out.t0);
    expect(out.r).toBeGreaterThanOrEqual(0);
    expect(out.r).toBeLessThan(1);
    const again = (await run('sandbox-clock').then((r) => r.result)) as { r: number };
    expect(again.r).not.toBe(out.r); // seeded per run
  });

  it('sub_workflow runs the resolved definition as a child with a deterministic id', async () => {
    const { handle, result } = await run('sub-workflow');
    await expect(result).resolves.toEqual({ doubled: 42, parent: 'parent-key' });
    const child = client.workflow.getHandle(`${handle.workflowId}/child`);
    const desc = await child.describe();
    expect(desc.status.name).toBe('COMPLETED');
    expect(desc.searchAttributes.AosDefinitionVersion).toEqual(['2.1.0']);
  });

  it('emit_event publishes with a deterministic event id', async () => {
    const { handle, result } = await run('emit-event');
    const out = (await result) as { eventId: string };
    const emitted = log.emitted.find((e) => e.workflowId === handle.workflowId);
    expect(emitted).toMatchObject({ pattern: 'order.shipped', payload: { id: 'x-1' }, eventId: out.eventId });
    expect(out.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('human_task records the due time passing once, in order with the escalations counted from it', async () => {
    const { result } = await run('human-task-overdue');
    await expect(result).resolves.toEqual({ decision: 'late', task: null });
    const writes = log.humanTasks
      .filter((w) => ('opened' in w ? w.opened : w.taskId) === 'ht-late_review')
      .map((w) => ('opened' in w ? 'opened' : w.kind === 'escalated' ? `escalated ${w.level}` : w.kind));
    expect(writes).toEqual(['opened', 'escalated 1', 'overdue', 'escalated 2', 'withdrawn']);
    const overdue = log.humanTasks.find((w) => 'kind' in w && w.kind === 'overdue' && w.taskId === 'ht-late_review');
    expect(overdue).toMatchObject({ dueAt: expect.stringMatching(/^\d{4}-/) });
  });

  it('fail ends the run with the step error type, message and details', async () => {
    const { result } = await run('fail');
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('LimitExceeded');
    expect(cause.message).toBe('over the limit');
    expect(cause.details).toEqual([{ reason: 'limit' }]);
  });
});

describe('events', () => {
  it('keeps signals that arrive before the wait, matches pattern and correlation, and dedupes by eventId', async () => {
    const { handle, result } = await run('wait-for-event');
    await expect(result).resolves.toEqual({ decision: 'approve', eventId: 'e-1' });
    const sub = log.subscriptions.find((s) => s.workflowId === handle.workflowId);
    expect(sub).toBeUndefined(); // the buffered event satisfied the wait before any subscription was needed
  });

  it('registers a subscription, reports waiting in the query and the mirror, and resumes on the signal', async () => {
    const s: Scenario = { ...SCENARIOS['wait-for-event'], drive: undefined, input: { invoiceId: 'inv-2' } };
    const { handle, result } = await run('wait-for-event', s);
    await waitUntil(async () => (await handle.query(aosStateQuery)).status === 'waiting');
    const state = await handle.query(aosStateQuery);
    expect(state.currentSteps).toEqual(['await']);
    expect(state.completedSteps).toEqual(['pause']);
    expect(log.subscriptions.find((x) => x.workflowId === handle.workflowId)).toMatchObject({
      pattern: 'invoice.*.reviewed',
      correlation: 'inv-2',
      stepId: 'await',
    });
    await handle.signal(aosEventSignal, {
      eventId: 'e-2',
      pattern: 'invoice.us.reviewed',
      payload: { decision: 'reject' },
      metadata: { correlationKey: 'inv-2' },
    });
    await expect(result).resolves.toEqual({ decision: 'reject', eventId: 'e-2' });
    expect(mirrorOf(handle.workflowId).map((m) => m.status)).toEqual(['running', 'waiting', 'running', 'completed']);
    expect(log.closed).toContainEqual({ subscriptionId: expect.any(String), status: 'matched', eventId: 'e-2' });
    expect((await handle.describe()).searchAttributes.AosCurrentStep ?? []).toEqual([]);
  });

  it('completes a wait at once with an event found by the subscription look-back', async () => {
    const s: Scenario = {
      definition: {
        workflow_id: 'look-back',
        name: 'look-back',
        version: '1.0.0',
        steps: [
          { id: 'await', type: 'wait_for_event', event: 'payment.settled', correlation: 'pay-1', timeout: '10s' },
        ],
        output: '{% $steps.await.output.amount %}',
      },
    };
    await expect(run('look-back', s).then((r) => r.result)).resolves.toBe(10);
  });

  it('goes to on_timeout when no event comes', async () => {
    await expect(run('wait-timeout').then((r) => r.result)).resolves.toBe('timed out');
  });
});

describe('errors', () => {
  it('retries a task with exponential backoff until it succeeds', async () => {
    const { handle, result } = await run('retry');
    await expect(result).resolves.toEqual({ attempts: 3 });
    const at = log.attempts.filter((a) => a.workflowId === handle.workflowId).map((a) => a.at);
    expect(at).toHaveLength(3);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(180);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(380);
  });

  it('catch routes by error type and stores the error in $vars and $steps.<id>.error', async () => {
    await expect(run('catch').then((r) => r.result)).resolves.toEqual({
      type: 'LedgerRejected',
      via: 'LedgerRejected',
    });
  });

  it('step timeouts fail non-activity steps and activities with Timeout', async () => {
    await expect(run('step-timeout').then((r) => r.result)).resolves.toEqual({ nap: 'Timeout', call: 'Timeout' });
  });

  it('the workflow timeout fails the run with Timeout and mirrors it', async () => {
    const { handle, result } = await run('workflow-timeout');
    const err = (await result.catch((e: unknown) => e)) as WorkflowFailedError;
    expect((err.cause as ApplicationFailure).type).toBe('Timeout');
    expect(mirrorOf(handle.workflowId).at(-1)).toMatchObject({ status: 'failed', error: { type: 'Timeout' } });
  });

  it('cancellation cancels the running activity, runs the compensating catch, then ends cancelled', async () => {
    const { handle, result } = await run('cancellation');
    const err = (await result.catch((e: unknown) => e)) as WorkflowFailedError;
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause).toBeInstanceOf(CancelledFailure);
    expect(log.records.filter((r) => r.workflowId === handle.workflowId).map((r) => r.value)).toEqual([
      'reserved',
      'released reserved',
    ]);
    await waitUntil(async () => log.cancelled.includes('long'));
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(mirrorOf(handle.workflowId).at(-1)).toMatchObject({ status: 'cancelled', error: { type: 'Cancelled' } });
  });

  it('continue-as-new carries vars, step outputs, position and the mirror seq', async () => {
    const { handle, result } = await run('continue-as-new');
    await expect(result).resolves.toEqual({ i: 12, sum: 66 });
    const writes = mirrorOf(handle.workflowId);
    expect(new Set(writes.map((w) => w.runId)).size).toBeGreaterThan(1);
    expect(writes.map((w) => w.seq)).toEqual(writes.map((_, i) => i + 1));
    expect(writes.filter((w) => w.start)).toHaveLength(1);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('compressed clock (test runs)', () => {
  it('runs days of timers in about a second and records the trail of steps and switch branches', async () => {
    const started = Date.now();
    const { handle, result } = await run('compressed-clock');
    await expect(result).resolves.toEqual({ attempts: 3 });
    // P1D delay + P2D wait timeout + 2 retry intervals of 1-2 h + a P2D escalation: five days of definition time.
    expect(Date.now() - started).toBeLessThan(10_000);
    const state = await handle.query(aosStateQuery);
    expect(state.trail).toEqual({
      steps: ['nap', 'route', 'quiet', 'call', 'review', 'done'],
      branches: ['route#0'],
    });
  });
});

describe('run operations', () => {
  it('pause holds the next step and mirrors paused; resume mirrors running and the run goes on', async () => {
    const { handle, result } = await run('paused');
    await expect(result).resolves.toEqual({ ms: 800 });
    expect(mirrorOf(handle.workflowId).map((w) => w.status)).toEqual(['running', 'paused', 'running', 'completed']);
  });

  it('takes a human task submission while paused; the next step starts on resume', async () => {
    const { handle, result } = await run('human-task-paused');
    await expect(result).resolves.toBe('approve');
    expect(mirrorOf(handle.workflowId).map((w) => w.status)).toEqual([
      'running',
      'waiting',
      'paused',
      'running',
      'completed',
    ]);
  });

  it('refuses a second pause and a resume of a run that is not paused', async () => {
    const { handle, result } = await run('paused', { ...SCENARIOS.paused, drive: undefined });
    await expect(handle.executeUpdate(resumeUpdate, { args: [{}] })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(pauseUpdate, { args: [{}] })).resolves.toEqual({
      paused: true,
      status: 'running',
    });
    await expect(handle.executeUpdate(pauseUpdate, { args: [{}] })).rejects.toThrow(WorkflowUpdateFailedError);
    expect((await handle.query(aosStateQuery)).status).toBe('paused');
    await handle.executeUpdate(resumeUpdate, { args: [{ reason: 'go' }] });
    await expect(result).resolves.toEqual({ ms: 800 });
  });

  it('on_failure starts its child once with the failure, and records it on the run error', async () => {
    const { handle, result } = await run('on-failure');
    await expect(result).rejects.toThrow(WorkflowFailedError);
    const child = client.workflow.getHandle(`${handle.workflowId}/on_failure`);
    await expect(child.result()).resolves.toMatchObject({ doubled: 8 });
    const end = mirrorOf(handle.workflowId).at(-1)!;
    expect(end.status).toBe('failed');
    expect(end.error).toMatchObject({
      type: 'Broken',
      on_failure: { type: 'sub_workflow', workflow_id: 'child-double' },
    });
  });

  it('on_failure emits its event once', async () => {
    const { handle, result } = await run('on-failure-emit');
    await expect(result).rejects.toThrow(WorkflowFailedError);
    const emitted = log.emitted.filter((e) => e.workflowId === handle.workflowId);
    expect(emitted).toEqual([expect.objectContaining({ pattern: 'flow.failed', payload: { message: 'broke' } })]);
  });
});
