/**
 * Ingest under database failures and concurrency: a batch is all or nothing, concurrent single events
 * share store statements (group commit) without losing per-event idempotency or isolation.
 */
import { createEventsHarness, uniq, type EventsHarness } from './harness';

jest.setTimeout(60_000);

describe('ingest atomicity and group commit', () => {
  let h: EventsHarness;
  const p = `atom${uniq()}`;
  const pattern = `${p}.order.created`;
  const poison = `poison-${p}`;
  const fn = `public.aos_test_${p}_poison`;

  beforeAll(async () => {
    h = await createEventsHarness({ handoff: false });
    await h.http
      .post('/api/v1/event-definitions')
      .send({
        event_id: `${p}-order-created`,
        name: 'Order created',
        pattern,
        version: '1.0.0',
        payload_schema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } },
      })
      .expect(201);
    // A forced failure in the last table the store statement writes: rows of other tests pass untouched.
    await h.db.raw(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.event_id LIKE '${poison}%' THEN RAISE EXCEPTION 'poisoned event %', NEW.event_id; END IF; RETURN NEW; END $$`);
    await h.db.raw(
      `CREATE TRIGGER aos_test_${p}_poison BEFORE INSERT ON event_processing_service.event_queue_state FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    );
  });
  afterAll(async () => {
    await h.db.raw(`DROP TRIGGER IF EXISTS aos_test_${p}_poison ON event_processing_service.event_queue_state`);
    await h.db.raw(`DROP FUNCTION IF EXISTS ${fn}()`);
    await h.close();
  });

  const stored = async (eventIds: string[]) =>
    Number(
      (await h.db('event_processing_service.event_instance_keys').whereIn('event_id', eventIds).count({ n: '*' }))[0]!
        .n,
    );

  it('stores none of a batch when the database fails on one of its events, and all of it on retry', async () => {
    const correlationId = `c-${uniq()}`;
    const events = [`a-${uniq()}`, `${poison}-${uniq()}`, `b-${uniq()}`].map((eventId, i) => ({
      eventId,
      pattern,
      payload: { orderId: `o-${i}` },
      metadata: { correlationId },
    }));
    const res = await h.http.post('/api/v1/events/batch').send({ events }).expect(500);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(await stored(events.map((e) => e.eventId))).toBe(0);
    expect(
      await h
        .db('event_processing_service.event_instances')
        .where({ pattern })
        .whereRaw(`metadata->>'correlationId' = ?`, [correlationId])
        .first(),
    ).toBeUndefined();

    const retry = events.map((e) => ({ ...e, eventId: e.eventId.replace(poison, 'cured') }));
    const ok = await h.http.post('/api/v1/events/batch').send({ events: retry }).expect(202);
    // The failed statement rolled its sequence numbers back: the retry numbers from 1, gap-free.
    expect(
      ok.body.items.map((it: { created: boolean; event: { sequenceNumber: number } }) => [
        it.created,
        it.event.sequenceNumber,
      ]),
    ).toEqual([
      [true, 1],
      [true, 2],
      [true, 3],
    ]);
    const again = await h.http.post('/api/v1/events/batch').send({ events: retry }).expect(202);
    expect(again.body.items.map((it: { created: boolean }) => it.created)).toEqual([false, false, false]);
  });

  it('stores an eventId sent by many concurrent requests once and answers each with the original', async () => {
    const eventId = `dup-${uniq()}`;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.http.post('/api/v1/events').send({ eventId, pattern, payload: { orderId: `o-${i}` } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await stored([eventId])).toBe(1);
    expect(await h.db('event_processing_service.event_queue_state').where({ event_id: eventId })).toHaveLength(1);
  });

  it('fails only the poisoned request among concurrent single events', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => (i === 4 ? `${poison}-${uniq()}` : `ok-${uniq()}`));
    const results = await Promise.all(
      ids.map((eventId, i) => h.http.post('/api/v1/events').send({ eventId, pattern, payload: { orderId: `o-${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(ids.map((id) => (id.startsWith(poison) ? 500 : 202)));
    expect(await stored(ids)).toBe(9);
  });
});
