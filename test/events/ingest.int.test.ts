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
});
