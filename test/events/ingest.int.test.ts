import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { emitWorkflowEvent } from '../../services/events/emit';
import { createTestCaller } from '../helpers/auth';
import { createRunRow } from '../helpers/human-tasks';
import { createEventsHarness, uniq, type EventsHarness } from './harness';

jest.setTimeout(60_000);

describe('event definitions and ingest', () => {
  let h: EventsHarness;
  const p = `ing${uniq()}`;
  const pattern = `${p}.order.created`;

  beforeAll(async () => {
    h = await createEventsHarness({ handoff: false });
    await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-order-created`,
        name: 'Order created',
        pattern,
        version: '1.0.0',
        payload_schema: {
          type: 'object',
          required: ['orderId'],
          properties: { orderId: { type: 'string' }, total: { type: 'number' } },
        },
        examples: [{ orderId: 'o-1', total: 3 }],
      })
      .expect(201);
  });
  afterAll(() => h.close());

  it('rejects a definition whose example does not match its schema, with the reason', async () => {
    const res = await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-bad`,
        name: 'Bad',
        pattern: `${p}.bad`,
        version: '1.0.0',
        payload_schema: { type: 'object', required: ['a'] },
        examples: [{ b: 1 }],
      })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ pointer: '/body/examples/0/a' })]),
    );
  });

  it('rejects a payload_schema that is not a JSON Schema', async () => {
    const res = await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-bad2`,
        name: 'Bad',
        pattern: `${p}.bad2`,
        version: '1.0.0',
        payload_schema: { type: 'nonsense' },
      })
      .expect(422);
    expect(res.body.errors[0].pointer).toBe('/body/payload_schema');
  });

  it('rejects a payload_schema with a catastrophic-backtracking regex, naming its pointer', async () => {
    const res = await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-redos`,
        name: 'ReDoS',
        pattern: `${p}.redos`,
        version: '1.0.0',
        payload_schema: {
          type: 'object',
          properties: { name: { type: 'string', pattern: '(a+)+$' } },
          patternProperties: { '^(b+)*c$': {} },
        },
      })
      .expect(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/body/payload_schema/patternProperties/^(b+)*c$',
      '/body/payload_schema/properties/name/pattern',
    ]);
    expect(
      await h
        .db('event_processing_service.event_definitions')
        .where({ pattern: `${p}.redos` })
        .first(),
    ).toBeUndefined();
  });

  it('stores a valid event once and answers a repeated eventId idempotently', async () => {
    const eventId = `e-${uniq()}`;
    const body = { eventId, pattern, payload: { orderId: 'o-1' }, metadata: { correlationId: `c-${uniq()}` } };
    const first = await h.http.post('/api/v1/events').send(body).expect(202);
    expect(first.body).toMatchObject({ eventId, pattern, version: '1.0.0', sequenceNumber: 1 });
    const again = await h.http.post('/api/v1/events').send(body).expect(200);
    expect(again.body.id).toBe(first.body.id);
    const [{ n }] = await h
      .db('event_processing_service.event_instances')
      .where({ event_id: eventId })
      .count({ n: '*' });
    expect(Number(n)).toBe(1);
    const queue = await h.db('event_processing_service.event_queue_state').where({ event_id: eventId });
    expect(queue).toHaveLength(1);
    expect(queue[0].status).toBe('pending');
  });

  it('answers 422 with every payload error and stores nothing', async () => {
    const eventId = `e-${uniq()}`;
    const res = await h.http
      .post('/api/v1/events')
      .send({ eventId, pattern, payload: { total: 'x' } })
      .expect(422);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/body/payload/orderId', '/body/payload/total']),
    );
    expect(
      await h.db('event_processing_service.event_instance_keys').where({ event_id: eventId }).first(),
    ).toBeUndefined();
  });

  it('answers 422 for an unregistered pattern', async () => {
    const res = await h.http
      .post('/api/v1/events')
      .send({ pattern: `${p}.unknown`, payload: {} })
      .expect(422);
    expect(res.body.errors[0].pointer).toBe('/body/pattern');
  });

  it('numbers events of one correlation id gap-free under concurrency', async () => {
    const correlationId = `seq-${uniq()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.http
          .post('/api/v1/events')
          .send({ pattern, payload: { orderId: `o-${i}` }, metadata: { correlationId } })
          .expect(202),
      ),
    );
    const numbers = results.map((r) => r.body.sequenceNumber).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('checks a whole batch before storing any of it', async () => {
    const ok = { eventId: `e-${uniq()}`, pattern, payload: { orderId: 'a' } };
    const bad = { eventId: `e-${uniq()}`, pattern, payload: {} };
    const res = await h.http
      .post('/api/v1/events/batch')
      .send({ events: [ok, bad] })
      .expect(422);
    expect(res.body.errors[0].pointer).toBe('/body/events/1/payload/orderId');
    expect(
      await h.db('event_processing_service.event_instance_keys').where({ event_id: ok.eventId }).first(),
    ).toBeUndefined();
    const good = await h.http
      .post('/api/v1/events/batch')
      .send({ events: [ok] })
      .expect(202);
    expect(good.body.items[0].created).toBe(true);
  });

  it('sees a new definition version through the validator cache', async () => {
    await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-order-created`,
        name: 'Order created',
        pattern,
        version: '2.0.0',
        payload_schema: { type: 'object', required: ['orderId', 'currency'] },
      })
      .expect(201);
    await h.http
      .post('/api/v1/events')
      .send({ pattern, payload: { orderId: 'x' } })
      .expect(422);
    await h.http
      .post('/api/v1/events')
      .send({ pattern, version: '1.0.0', payload: { orderId: 'x' } })
      .expect(202);
  });

  it('records the authenticated publisher (single, group-committed, batch), never a body field; emit_event records its run’s starter', async () => {
    // Payloads fit every version of the definition (the test above adds 2.0.0 requiring a currency).
    const alice = await createTestCaller(h.deps, ['events:publish'], 'alice');
    const bob = await createTestCaller(h.deps, ['events:publish'], 'bob');
    const as = (c: typeof alice) => request.agent(h.app).set(c.bearer);
    const eventId = `e-${uniq()}`;
    const claimBob = { userId: bob.username, context: { type: 'user', id: bob.username } };
    const body = { eventId, pattern, payload: { orderId: 'o-1', currency: 'EUR' }, metadata: claimBob };
    const first = await as(alice).post('/api/v1/events').send(body).expect(202);
    expect(first.body).toMatchObject({ publishedBy: alice.username, metadata: { userId: bob.username } });
    // A repeat by someone else answers the original, with its original publisher.
    expect((await as(bob).post('/api/v1/events').send(body).expect(200)).body.publishedBy).toBe(alice.username);
    const row = await h.db('event_processing_service.event_instances').where({ event_id: eventId }).first();
    expect(row.published_by).toBe(alice.username);

    const batch = await as(bob)
      .post('/api/v1/events/batch')
      .send({
        events: [
          { pattern, payload: { orderId: 'b-1', currency: 'EUR' }, metadata: { userId: alice.username } },
          { pattern, payload: { orderId: 'b-2', currency: 'EUR' } },
        ],
      })
      .expect(202);
    expect(batch.body.items.map((i: { event: { publishedBy: string } }) => i.event.publishedBy)).toEqual([
      bob.username,
      bob.username,
    ]);
    expect((await h.http.get(`/api/v1/events/${eventId}`).expect(200)).body.publishedBy).toBe(alice.username);

    const emit = async (startedBy?: string) => {
      const { instanceId, workflowId } = await createRunRow(h.db);
      await h
        .db('workflow_orchestrator_service.workflow_instances')
        .where({ id: instanceId })
        .update({ trigger: { kind: 'api', ...(startedBy && { startedBy }) } });
      const ctx = {
        instanceId,
        workflowId: `${workflowId}:${instanceId}`,
        runId: randomUUID(),
        definitionId: workflowId,
        definitionVersion: '1.0.0',
        stepId: 'emit',
        stepPath: 'emit',
      };
      const { eventId: emitted } = await emitWorkflowEvent(h.deps, {
        eventId: randomUUID(),
        pattern,
        payload: { orderId: 'w-1', currency: 'EUR' },
        ctx,
      });
      return (await h.db('event_processing_service.event_instances').where({ event_id: emitted }).first()).published_by;
    };
    expect(await emit(alice.username)).toBe(alice.username);
    expect(await emit()).toBeNull();
  });
});
