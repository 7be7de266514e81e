import type { WorkflowDefinition } from '../../common/definitions/types';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, storeDefinition } from './flows';

jest.setTimeout(60_000);

describe('durable delivery: dead letters, redrive, and events stored but never handed over', () => {
  let h: EventsHarness;
  let dead: EventsHarness;
  const p = `dlv${uniq()}`;
  const def = (
    id: string,
    steps: WorkflowDefinition['steps'],
    extra: Partial<WorkflowDefinition> = {},
  ): WorkflowDefinition => ({ workflow_id: `${p}-${id}`, name: id, version: '1.0.0', steps, ...extra });
  const queueOf = (eventId: string) =>
    h.db('event_processing_service.event_queue_state').where({ event_id: eventId }).first();
  const runsOf = (eventId: string) =>
    h.db('workflow_orchestrator_service.workflow_instances').whereRaw(`trigger->>'eventId' = ?`, [eventId]);

  beforeAll(async () => {
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
    // Same database and task queue, but an API that "dies" between commit and hand-off: it never starts delivery.
    dead = await createEventsHarness({
      env: { ACCEPT_UNREGISTERED_EVENTS: 'true', TASK_QUEUE: h.config.taskQueue },
      handoff: false,
    });
  });
  afterAll(async () => {
    await dead.close();
    await h.close();
  });

  it('dead-letters a delivery that fails every attempt, and a redrive delivers it once the cause is fixed', async () => {
    const strict = def('strict', [{ id: 'done', type: 'succeed', output: '{% $input %}' }], {
      input_schema: { type: 'object', required: ['orderId'] },
    });
    await storeDefinition(h.db, strict);
    // The mapping misses the required orderId: every start is rejected by the engine.
    const trg = (
      await h.http
        .post('/api/v1/triggers')
        .send({
          workflowDefinitionId: strict.workflow_id,
          eventPattern: `${p}.order.placed`,
          triggerType: 'START',
          inputMapping: { wrong: 'payload.id' },
        })
        .expect(201)
    ).body;
    const ev = (
      await h.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.order.placed`, payload: { id: 'o-9' } })
        .expect(202)
    ).body;

    const queue = await eventually(async () =>
      (await queueOf(ev.eventId))?.status === 'dead_lettered' ? queueOf(ev.eventId) : undefined,
    );
    expect(queue).toMatchObject({ attempts: 3, last_error: expect.objectContaining({ type: 'RoutingRejected' }) });
    const list = (await h.http.get('/api/v1/dead-letters').query({ event_id: ev.eventId, status: 'open' }).expect(200))
      .body;
    expect(list.items).toHaveLength(1);
    expect(list.items[0].context.event).toMatchObject({ eventId: ev.eventId, payload: { id: 'o-9' } });
    expect((await h.http.get(`/api/v1/events/${ev.eventId}`).expect(200)).body.delivery).toMatchObject({
      status: 'dead_lettered',
      attempts: 3,
    });

    await h.http
      .patch(`/api/v1/triggers/${trg.id}`)
      .send({ inputMapping: { orderId: 'payload.id' } })
      .expect(200);
    const redrive = (
      await h.http
        .post('/api/v1/dead-letters/redrive')
        .send({ ids: [list.items[0].id] })
        .expect(200)
    ).body;
    expect(redrive.items[0].outcome).toBe('redriven');
    await eventually(async () => (await queueOf(ev.eventId))?.status === 'delivered');
    const [run] = await runsOf(ev.eventId);
    expect(run.input).toEqual({ orderId: 'o-9' });
    await h.http.post(`/api/v1/dead-letters/${list.items[0].id}/discard`).expect(409);
  });

  it("loses nothing when the API dies right after acknowledging: the worker's sweeper delivers the stored event", async () => {
    const echo = def('echo', [{ id: 'done', type: 'succeed', output: '{% $input %}' }]);
    await storeDefinition(h.db, echo);
    await h.http
      .post('/api/v1/triggers')
      .send({ workflowDefinitionId: echo.workflow_id, eventPattern: `${p}.ping`, triggerType: 'START' })
      .expect(201);
    const ev = (
      await dead.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.ping`, payload: { n: 1 } })
        .expect(202)
    ).body;
    expect((await queueOf(ev.eventId)).status).toBe('pending');

    const queue = await eventually(async () =>
      (await queueOf(ev.eventId))?.status === 'delivered' ? queueOf(ev.eventId) : undefined,
    );
    // Nothing woke the dispatcher but the sweeper, once the event was pending past the grace period.
    expect(queue.delivered_at.getTime() - queue.created_at.getTime()).toBeGreaterThanOrEqual(
      h.config.eventSweepGraceMs,
    );
    const runs = await runsOf(ev.eventId);
    expect(runs).toHaveLength(1);
    expect(runs[0].input).toEqual({ n: 1 });
  });

  it('loses nothing when the dispatcher that claimed an event dies: the sweeper wakes its shard once the lease ended', async () => {
    const echo = def('lease', [{ id: 'done', type: 'succeed', output: '{% $input %}' }]);
    await storeDefinition(h.db, echo);
    await h.http
      .post('/api/v1/triggers')
      .send({ workflowDefinitionId: echo.workflow_id, eventPattern: `${p}.leased`, triggerType: 'START' })
      .expect(201);
    const ev = (
      await dead.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.leased`, payload: { n: 2 } })
        .expect(202)
    ).body;
    // As a pass that claimed it and died leaves it: leased, one attempt made, the lease already over. Nothing will
    // wake the shard for it: no hand-off, and no dispatcher timer knows the row.
    const leased = await h
      .db('event_processing_service.event_queue_state')
      .where({ event_id: ev.eventId, consumer: 'router', status: 'pending' })
      .update({ status: 'delivering', attempts: 1, next_attempt_at: h.db.raw(`now() - interval '1 minute'`) });
    expect(leased).toBe(1);

    await eventually(async () => (await queueOf(ev.eventId))?.status === 'delivered');
    const runs = await runsOf(ev.eventId);
    expect(runs).toHaveLength(1);
    expect(runs[0].input).toEqual({ n: 2 });
  });
});
