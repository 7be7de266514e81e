import type { WorkflowDefinition } from '../../common/definitions/types';
import { wakeDispatcher } from '../../services/events/handoff';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, storeDefinition } from './flows';

jest.setTimeout(60_000);

describe('triggers: events start and cancel workflows', () => {
  let h: EventsHarness;
  const p = `trg${uniq()}`;
  const def = (id: string, steps: WorkflowDefinition['steps']): WorkflowDefinition => ({
    workflow_id: `${p}-${id}`,
    name: id,
    version: '1.0.0',
    steps,
  });
  const runsOf = (eventId: string) =>
    h.db('workflow_orchestrator_service.workflow_instances').whereRaw(`trigger->>'eventId' = ?`, [eventId]);
  const delivered = (eventId: string) =>
    eventually(
      async () =>
        await h
          .db('event_processing_service.event_queue_state')
          .where({ event_id: eventId, status: 'delivered' })
          .first(),
    );
  const trigger = async (body: object) => (await h.http.post('/api/v1/triggers').send(body).expect(201)).body;

  beforeAll(async () => {
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('starts exactly one run per matching trigger with the mapped input, even when the event is delivered again', async () => {
    const echo = def('echo', [{ id: 'done', type: 'succeed', output: '{% $input %}' }]);
    await storeDefinition(h.db, echo);
    const exact = await trigger({
      workflowDefinitionId: echo.workflow_id,
      eventPattern: `${p}.order.created`,
      triggerType: 'START',
      inputMapping: { orderId: 'payload.orderId', via: '{% "trigger" %}' },
      priority: 1,
    });
    const wild = await trigger({
      workflowDefinitionId: echo.workflow_id,
      eventPattern: `${p}.order.*`,
      triggerType: 'START',
      eventCondition: 'payload.total > 10',
      priority: 2,
    });
    await trigger({
      workflowDefinitionId: echo.workflow_id,
      eventPattern: `${p}.**`,
      triggerType: 'START',
      eventCondition: 'payload.total > 1000',
    });

    const body = { eventId: `e-${uniq()}`, pattern: `${p}.order.created`, payload: { orderId: 'o-7', total: 50 } };
    await h.http.post('/api/v1/events').send(body).expect(202);
    await h.http.post('/api/v1/events').send(body).expect(200);
    await delivered(body.eventId);
    const runs = await runsOf(body.eventId);
    expect(runs.map((r) => r.trigger.triggerId).sort()).toEqual([exact.triggerId, wild.triggerId].sort());
    expect(runs.find((r) => r.trigger.triggerId === exact.triggerId).input).toEqual({ orderId: 'o-7', via: 'trigger' });
    expect(runs.find((r) => r.trigger.triggerId === wild.triggerId).input).toEqual({ orderId: 'o-7', total: 50 });
    const runIds = await Promise.all(
      runs.map(async (r) => (await h.temporal.workflow.getHandle(r.temporal_workflow_id).describe()).runId),
    );

    // A second delivery of the same event (a redrive, a duplicate wake-up) finds the runs already started.
    const queue = () =>
      h.db('event_processing_service.event_queue_state').where({ event_id: body.eventId, consumer: 'router' }).first();
    await h
      .db('event_processing_service.event_queue_state')
      .where({ event_id: body.eventId, consumer: 'router' })
      .update({ status: 'pending', next_attempt_at: h.db.fn.now() });
    await wakeDispatcher(h.temporal, h.config);
    await eventually(async () => {
      const q = await queue();
      return q?.status === 'delivered' && q.attempts === 2;
    });
    const rerun = await Promise.all(
      runs.map(async (r) => (await h.temporal.workflow.getHandle(r.temporal_workflow_id).describe()).runId),
    );
    expect(rerun).toEqual(runIds);
    expect(await runsOf(body.eventId)).toHaveLength(2);
  });

  it('cancels the running instance with the matching correlation key and leaves the others running', async () => {
    const job = def('job', [{ id: 'wait', type: 'wait_for_event', event: `${p}.never`, timeout: '10m' }]);
    await storeDefinition(h.db, job);
    await trigger({
      workflowDefinitionId: job.workflow_id,
      eventPattern: `${p}.job.started`,
      triggerType: 'START',
      correlationKey: 'payload.jobId',
    });
    await trigger({
      workflowDefinitionId: job.workflow_id,
      eventPattern: `${p}.job.cancelled`,
      triggerType: 'CANCEL',
      correlationKey: '{% payload.jobId %}',
    });
    const [a, b] = [`A-${uniq()}`, `B-${uniq()}`];
    const started = await Promise.all(
      [a, b].map(
        async (jobId) =>
          (
            await h.http
              .post('/api/v1/events')
              .send({ pattern: `${p}.job.started`, payload: { jobId } })
              .expect(202)
          ).body,
      ),
    );
    const running = await Promise.all(
      started.map((e) =>
        eventually(async () => {
          const [run] = await runsOf(e.eventId);
          return run?.status === 'waiting' ? run : undefined;
        }),
      ),
    );
    await h.http
      .post('/api/v1/events')
      .send({ pattern: `${p}.job.cancelled`, payload: { jobId: a } })
      .expect(202);
    await eventually(
      async () =>
        (await h.db('workflow_orchestrator_service.workflow_instances').where({ id: running[0].id }).first()).status ===
        'cancelled',
    );
    const other = await h.temporal.workflow.getHandle(running[1].temporal_workflow_id).describe();
    expect(other.status.name).toBe('RUNNING');
  });

  it('skips a start when a run with the same correlation key is already running (on_running = skip)', async () => {
    const job = def('single', [{ id: 'wait', type: 'wait_for_event', event: `${p}.never`, timeout: '10m' }]);
    await storeDefinition(h.db, job);
    await trigger({
      workflowDefinitionId: job.workflow_id,
      eventPattern: `${p}.single.go`,
      triggerType: 'START',
      correlationKey: 'payload.key',
      onRunning: 'skip',
    });
    const key = `k-${uniq()}`;
    const first = (
      await h.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.single.go`, payload: { key } })
        .expect(202)
    ).body;
    await eventually(async () => (await runsOf(first.eventId))[0]);
    const second = (
      await h.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.single.go`, payload: { key } })
        .expect(202)
    ).body;
    await delivered(second.eventId);
    expect(await runsOf(second.eventId)).toHaveLength(0);
  });

  it('rejects invalid patterns and expressions with pointers', async () => {
    const res = await h.http
      .post('/api/v1/triggers')
      .send({
        workflowDefinitionId: 'missing-def',
        eventPattern: 'a..b',
        triggerType: 'START',
        eventCondition: 'payload.(',
        inputMapping: { x: ']' },
      })
      .expect(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/body/eventCondition',
      '/body/eventPattern',
      '/body/inputMapping/x',
      '/body/workflowDefinitionId',
    ]);
  });
});
