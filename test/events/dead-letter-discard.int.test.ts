import type { WorkflowDefinition } from '../../common/definitions/types';
import { wakeDispatcher } from '../../services/events/handoff';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, storeDefinition } from './flows';

jest.setTimeout(60_000);

describe('dead letters: discard', () => {
  let h: EventsHarness;
  const p = `dld${uniq()}`;
  const queueOf = (eventId: string) =>
    h.db('event_processing_service.event_queue_state').where({ event_id: eventId, consumer: 'router' }).first();
  const runsOf = (eventId: string) =>
    h.db('workflow_orchestrator_service.workflow_instances').whereRaw(`trigger->>'eventId' = ?`, [eventId]);

  beforeAll(async () => {
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('discards an open dead letter: the letter is discarded and the event is not delivered again', async () => {
    const strict: WorkflowDefinition = {
      workflow_id: `${p}-strict`,
      name: 'strict',
      version: '1.0.0',
      steps: [{ id: 'done', type: 'succeed', output: '{% $input %}' }],
      input_schema: { type: 'object', required: ['orderId'] },
    };
    await storeDefinition(h.db, strict);
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
        .send({ pattern: `${p}.order.placed`, payload: { id: 'o-1' } })
        .expect(202)
    ).body;
    const dead = await eventually(async () =>
      (await queueOf(ev.eventId))?.status === 'dead_lettered' ? queueOf(ev.eventId) : undefined,
    );
    const [letter] = (
      await h.http.get('/api/v1/dead-letters').query({ event_id: ev.eventId, status: 'open' }).expect(200)
    ).body.items;

    // The cause is fixed, but the operator discards instead of redriving: nothing may start.
    await h.http
      .patch(`/api/v1/triggers/${trg.id}`)
      .send({ inputMapping: { orderId: 'payload.id' } })
      .expect(200);
    await h.http.post(`/api/v1/dead-letters/${letter.id}/discard`).expect(200);
    expect((await h.http.get(`/api/v1/dead-letters/${letter.id}`).expect(200)).body).toMatchObject({
      id: letter.id,
      status: 'discarded',
    });
    expect(
      (await h.http.get('/api/v1/dead-letters').query({ event_id: ev.eventId, status: 'open' }).expect(200)).body.items,
    ).toHaveLength(0);
    expect(
      (await h.http.get('/api/v1/dead-letters').query({ event_id: ev.eventId, status: 'discarded' }).expect(200)).body
        .items,
    ).toHaveLength(1);

    // A wake-up and a few sweeps later the event is still stored, still dead-lettered, and never routed again.
    await wakeDispatcher(h.temporal, h.config);
    await new Promise((r) => setTimeout(r, 3 * h.config.eventSweepIntervalMs + h.config.eventSweepGraceMs));
    expect((await h.http.get(`/api/v1/events/${ev.eventId}`).expect(200)).body.delivery).toMatchObject({
      status: 'dead_lettered',
      attempts: dead.attempts,
    });
    expect(await runsOf(ev.eventId)).toHaveLength(0);
    // Only open letters move: neither a second discard nor a redrive of a discarded letter is accepted.
    await h.http.post(`/api/v1/dead-letters/${letter.id}/discard`).expect(409);
    await h.http.post(`/api/v1/dead-letters/${letter.id}/redrive`).expect(409);
  });
});
