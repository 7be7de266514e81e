import { createEventsHarness, uniq, type EventsHarness } from './harness';

jest.setTimeout(60_000);

describe('sequences: a custom sequence key field on the event definition', () => {
  let h: EventsHarness;
  const p = `seq${uniq()}`;
  const pattern = `${p}.order.updated`;

  beforeAll(async () => {
    h = await createEventsHarness({ handoff: false });
    await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-order-updated`,
        name: 'Order updated',
        pattern,
        version: '1.0.0',
        sequence_key_path: 'payload.orderId',
        payload_schema: {
          type: 'object',
          required: ['orderId'],
          properties: { orderId: { type: 'string' }, i: { type: 'number' } },
        },
      })
      .expect(201);
  });
  afterAll(() => h.close());

  it('numbers events sharing the named field gap-free, whatever their correlationId, even when published concurrently', async () => {
    const [a, b] = [`o-${uniq()}`, `o-${uniq()}`];
    const n = 12;
    const bodies = Array.from({ length: 2 * n }, (_, i) => ({
      pattern,
      payload: { orderId: i % 2 ? b : a, i },
      // A correlationId differing per event: it must not be the sequence key here.
      metadata: { correlationId: `c-${uniq()}` },
    }));
    const stored = (await Promise.all(bodies.map((body) => h.http.post('/api/v1/events').send(body).expect(202)))).map(
      (r) => r.body,
    );
    // One batch too: its events continue the same sequences, in input order.
    const batch = (
      await h.http
        .post('/api/v1/events/batch')
        .send({
          events: [
            { pattern, payload: { orderId: a, i: 100 }, metadata: { correlationId: 'x' } },
            { pattern, payload: { orderId: a, i: 101 }, metadata: { correlationId: 'y' } },
          ],
        })
        .expect(202)
    ).body;
    const batchEvents = (batch.items as Array<{ event: { sequenceNumber: number } }>).map((it) => it.event);
    expect(batchEvents.map((e) => e.sequenceNumber)).toEqual([n + 1, n + 2]);

    for (const key of [a, b]) {
      const numbers = stored
        .filter((e) => e.payload.orderId === key)
        .map((e) => e.sequenceNumber)
        .sort((x, y) => x - y);
      expect(numbers).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const rows = await h
        .db('event_processing_service.event_instances')
        .whereRaw(`payload->>'orderId' = ?`, [key])
        .orderBy('sequence_number');
      expect(rows.map((r) => Number(r.sequence_number))).toEqual(
        Array.from({ length: key === a ? n + 2 : n }, (_, i) => i + 1),
      );
      expect(new Set(rows.map((r) => r.sequence_key))).toEqual(new Set([rows[0].sequence_key]));
      expect(rows[0].sequence_key).toContain(key);
    }
    const seqA = await h.db('event_processing_service.event_sequences').where('sequence_key', 'like', `%${a}%`);
    expect(seqA).toHaveLength(1);
    expect(Number(seqA[0].last_number)).toBe(n + 2);
  });
});
