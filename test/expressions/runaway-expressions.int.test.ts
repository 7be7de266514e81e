/**
 * Issue #10 items 2 and 3: a runaway JSONata expression (a tail-call loop, a ten-million-item allocation)
 * fails what evaluated it, cleanly and without retries, and never takes down or freezes the worker: in a
 * workflow `set` step (sandbox), in a `transform` task (activity, worker thread) and in a trigger's
 * `eventCondition` (the dispatcher's local activity, main thread). After each, a health probe (a run started
 * by a trigger and resumed by an event) still completes on the same worker.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { startRun } from '../../services/runs';
import { activeTask, activeWorkflow } from '../engine-runs/harness';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';
import { eventually } from '../events/flows';

jest.setTimeout(120_000);

const LOOP = '($f := function($n){ $f($n + 1) }; $f(0))';
const ALLOC = '$map([1..10000000], function($v){ {"v": $v} })';
const RUNAWAYS = [
  ['a tail-call loop', LOOP, 'steps'],
  ['a ten-million-item allocation', ALLOC, 'arrayLength'],
] as const;

let h: EventsHarness;
const p = `rx${uniq()}`;
const queueState = (eventId: string) =>
  h.db('event_processing_service.event_queue_state').where({ event_id: eventId, consumer: 'router' }).first();
const publish = async (body: object) =>
  (await h.http.post('/api/v1/events').send(body).expect(202)).body as { eventId: string };

beforeAll(async () => {
  h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  await activeWorkflow(h.db, {
    workflow_id: `${p}-probe`,
    steps: [
      {
        id: 'wait',
        type: 'wait_for_event',
        event: `${p}.probe.resume`,
        correlation: '{% $input.key %}',
        timeout: '60s',
      } as never,
      { id: 'done', type: 'succeed', output: '{% $steps.wait.output %}' } as never,
    ],
  });
  await h.http
    .post('/api/v1/triggers')
    .send({
      workflowDefinitionId: `${p}-probe`,
      eventPattern: `${p}.probe.start`,
      triggerType: 'START',
      correlationKey: 'payload.key',
      inputMapping: { key: 'payload.key' },
    })
    .expect(201);
});
afterAll(() => h?.close());

/** The health probe: a trigger starts a run, an event resumes it, the run completes with the event's payload. */
async function probe(): Promise<void> {
  const key = `k-${uniq()}`;
  const start = await publish({ pattern: `${p}.probe.start`, payload: { key } });
  const run = await eventually(async () => {
    const r = await h
      .db('workflow_orchestrator_service.workflow_instances')
      .whereRaw(`trigger->>'eventId' = ?`, [start.eventId])
      .first();
    return r?.status === 'waiting' ? r : undefined;
  }, 30_000);
  await publish({ pattern: `${p}.probe.resume`, payload: { ok: key }, metadata: { correlationId: key } });
  expect(await h.temporal.workflow.getHandle(run.temporal_workflow_id).result()).toEqual({ ok: key });
}

function expectWorkerUp(): void {
  expect(h.worker?.getState()).toBe('RUNNING');
}

/** The failure a run ended with, and whether any of its workflow tasks failed (an overrun or a crash would). */
async function failureOf(workflowId: string) {
  const handle = h.temporal.workflow.getHandle(workflowId);
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const events = (await handle.fetchHistory()).events ?? [];
  let cause = (err as WorkflowFailedError).cause as
    { type?: string; message: string; nonRetryable?: boolean; cause?: unknown } | undefined;
  while (cause && !cause.type && cause.cause) cause = cause.cause as typeof cause; // ActivityFailure -> ApplicationFailure
  const wtf = events.filter((e) => e.workflowTaskFailedEventAttributes);
  if (wtf.length)
    console.log(
      'WTF',
      JSON.stringify(wtf.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message)),
      JSON.stringify(
        events
          .filter(
            (e) =>
              e.workflowTaskStartedEventAttributes ||
              e.workflowTaskFailedEventAttributes ||
              e.workflowTaskCompletedEventAttributes,
          )
          .map((e) => [e.eventType, String(e.eventTime?.seconds), e.eventTime?.nanos]),
      ),
    );
  return { cause, workflowTaskFailures: wtf.length, events };
}

describe.each(RUNAWAYS)('%s', (_name, expression, limit) => {
  it('in a workflow set step fails the run with ExpressionError naming the limit, without a failed workflow task', async () => {
    const wf = `${p}-set-${limit}`;
    await activeWorkflow(h.db, {
      workflow_id: wf,
      steps: [{ id: 'boom', type: 'set', vars: { x: `{% ${expression} %}` } } as never],
    });
    const started = Date.now();
    const res = await startRun({ db: h.db, temporal: h.temporal, config: h.config }, { workflowId: wf, input: {} });
    const { cause, workflowTaskFailures } = await failureOf(res.workflowId);
    expect(cause?.type).toBe('ExpressionError');
    expect(cause?.message).toContain(`limit "${limit}"`);
    expect(workflowTaskFailures).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expectWorkerUp();
    await probe();
  });

  it('in a workflow set step is catchable with catch: ExpressionError', async () => {
    const wf = `${p}-catch-${limit}`;
    await activeWorkflow(h.db, {
      workflow_id: wf,
      steps: [
        {
          id: 'boom',
          type: 'set',
          vars: { x: `{% ${expression} %}` },
          catch: [{ errors: ['ExpressionError'], next: 'after', into: 'err' }],
        } as never,
        { id: 'unreached', type: 'fail', error: 'Unreached' } as never,
        { id: 'after', type: 'succeed', output: '{% $vars.err.type %}' } as never,
      ],
    });
    const res = await startRun({ db: h.db, temporal: h.temporal, config: h.config }, { workflowId: wf, input: {} });
    expect(await h.temporal.workflow.getHandle(res.workflowId).result()).toBe('ExpressionError');
  });

  it('in a transform task fails the task once (non-retryable) and the run, and the worker keeps running', async () => {
    const task = `${p}-tx-${limit}`;
    await activeTask(h.db, { task_id: task, type: 'transform', config: { expression } });
    const wf = `${p}-txwf-${limit}`;
    await activeWorkflow(h.db, {
      workflow_id: wf,
      steps: [{ id: 'shape', type: 'task', task, retry: { max_attempts: 5 } } as never],
    });
    const res = await startRun({ db: h.db, temporal: h.temporal, config: h.config }, { workflowId: wf, input: {} });
    const { cause, events } = await failureOf(res.workflowId);
    expect(cause).toMatchObject({ type: 'ExpressionError', nonRetryable: true });
    expect(cause?.message).toContain(`limit "${limit}"`);
    expect(
      events
        .filter((e) => e.activityTaskStartedEventAttributes)
        .map((e) => e.activityTaskStartedEventAttributes?.attempt),
    ).toEqual([1]);
    expectWorkerUp();
    await probe();
  });

  it('in a trigger condition dead-letters that event while other events keep being delivered', async () => {
    const pattern = `${p}.cond.${limit}`;
    await h.http
      .post('/api/v1/triggers')
      .send({
        workflowDefinitionId: `${p}-probe`,
        eventPattern: pattern,
        triggerType: 'START',
        eventCondition: expression,
      })
      .expect(201);
    const bad = await Promise.all([1, 2].map(() => publish({ pattern, payload: {} })));
    // Delivery goes on for everything else while (and after) the bad events are handled.
    await probe();
    for (const e of bad) {
      const q = await eventually(async () => {
        const r = await queueState(e.eventId);
        return r?.status === 'dead_lettered' ? r : undefined;
      }, 30_000);
      expect(q.attempts).toBe(1);
      const letter = await h.db('event_processing_service.dead_letter_queue').where({ event_id: e.eventId }).first();
      expect(JSON.stringify(letter.error)).toContain('ExpressionError');
      expect(JSON.stringify(letter.error)).toContain(`limit \\"${limit}\\"`);
    }
    expectWorkerUp();
    await probe();
  });
});
