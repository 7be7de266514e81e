/**
 * POST /api/v1/events is served by the fast route (api/http/fast-route.ts) ahead of Express for plain JSON
 * requests. These tests send the same requests to the production app and to one where the route goes through
 * the generic Express stack, and expect the same answers: status, problem+json body, headers; and they check
 * which requests the fast route takes and which it leaves to Express.
 */
import { gzipSync } from 'node:zlib';
import type { Application, RequestHandler } from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { createApiApp } from '../../api/api-app';
import { createApp } from '../../api/app';
import { createAuthorizer } from '../../api/auth/authorizer';
import { recordHeaders } from '../../api/http/security-headers';
import { allRoutes } from '../../api/routes';
import { captureLogger, createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { createEventsHarness, uniq, type EventsHarness } from './harness';

jest.setTimeout(60_000);

const SECURITY_HEADERS = [
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'cross-origin-opener-policy',
];
const EVENTS = '/api/v1/events';

describe('POST /events: the fast route answers exactly as the Express stack', () => {
  let h: EventsHarness;
  let viaExpress: Application;
  let reader: TestCaller;
  let publisher: TestCaller;
  const p = `fr${uniq()}`;
  const pattern = `${p}.order.created`;
  const event = (extra: Record<string, unknown> = {}) => ({
    pattern,
    payload: { orderId: 'o-1' },
    metadata: { correlationId: `c-${uniq()}` },
    ...extra,
  });

  beforeAll(async () => {
    h = await createEventsHarness({ handoff: false, env: { API_BODY_LIMIT: '10kb' } });
    viaExpress = createApiApp(h.deps, { routes: allRoutes().map((r) => ({ ...r, fast: false })) });
    reader = await createTestCaller(h.deps, ['events:read'], 'reader');
    publisher = await createTestCaller(h.deps, ['events:publish'], 'publisher');
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
  });
  afterAll(() => h.close());

  /** What must not differ between the two paths (ids, times and the generated request id aside). */
  const answer = (res: request.Response) => ({
    status: res.status,
    contentType: res.headers['content-type'],
    requestId: res.headers['x-request-id'] ? 'present' : 'missing',
    security: SECURITY_HEADERS.map((name) => res.headers[name]),
    body: res.headers['content-type']?.includes('problem+json')
      ? { ...res.body, requestId: typeof res.body.requestId }
      : Object.keys(res.body).sort(),
  });

  /** Sends the same request to both apps; returns the fast route's answer after comparing. */
  async function both(send: (app: Application) => request.Test): Promise<request.Response> {
    const fast = await send(h.app);
    const express = await send(viaExpress);
    expect(answer(fast)).toEqual(answer(express));
    return fast;
  }
  const post =
    (auth: Record<string, string> = publisher.bearer) =>
    (app: Application) =>
      request(app).post(EVENTS).set(auth);

  it('stores an event (202) and answers a repeated eventId with the original (200)', async () => {
    const stored = await both((app) => post()(app).send(event()));
    expect(stored.status).toBe(202);
    expect(stored.headers.location).toBe(`${EVENTS}/${stored.body.eventId}`);
    const eventId = `e-${uniq()}`;
    const first = await post()(h.app).send(event({ eventId })).expect(202);
    const again = await both((app) => post()(app).send(event({ eventId })));
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('answers 401 without credentials and 403 without events:publish', async () => {
    expect((await both((app) => request(app).post(EVENTS).send(event()))).status).toBe(401);
    expect((await both((app) => post({ Authorization: 'Bearer nonsense' })(app).send(event()))).status).toBe(401);
    expect((await both((app) => post(reader.bearer)(app).send(event()))).status).toBe(403);
  });

  it('answers 400 for malformed JSON and for a JSON scalar, before looking at credentials', async () => {
    for (const raw of ['{"pattern": ', '"just a string"', '42', 'null', '\uFEFF{']) {
      const res = await both((app) => request(app).post(EVENTS).set('Content-Type', 'application/json').send(raw));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ pointer: '/body', message: 'malformed JSON' }]);
    }
  });

  it('answers 413 over API_BODY_LIMIT, whether Content-Length says so or a chunked body grows past it', async () => {
    const big = JSON.stringify(event({ payload: { orderId: 'x'.repeat(20_000) } }));
    expect((await both((app) => post()(app).set('Content-Type', 'application/json').send(big))).status).toBe(413);
    const chunked = (app: Application) => {
      const req = post()(app).set('Content-Type', 'application/json').set('Transfer-Encoding', 'chunked');
      for (let i = 0; i < 20; i++) req.write(big.slice(i * 1000, (i + 1) * 1000));
      return req;
    };
    expect((await both(chunked)).status).toBe(413);
  });

  it('answers 422 naming the field at fault: body shape, payload schema, unregistered pattern, empty body', async () => {
    const cases: Array<[unknown, string]> = [
      [event({ unexpected: 1 }), '/body/unexpected'],
      [event({ payload: { orderId: 5 } }), '/body/payload/orderId'],
      [event({ pattern: `${p}.unknown` }), '/body/pattern'],
      [event({ payload: { orderId: 'bad\u0000' } }), '/body/payload/orderId'],
      [{}, '/body/pattern'],
    ];
    for (const [body, pointer] of cases) {
      const res = await both((app) => post()(app).send(body as object));
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    const empty = await both((app) => post()(app).set('Content-Type', 'application/json').send(''));
    expect(empty.status).toBe(422);
  });

  it("keeps a caller's X-Request-Id and a BOM-prefixed or charset-labelled body", async () => {
    const res = await both((app) =>
      post()(app)
        .set('X-Request-Id', 'req-fast-1')
        .set('Content-Type', 'application/json; charset=UTF-8')
        .send(`\uFEFF${JSON.stringify(event())}`),
    );
    expect(res.status).toBe(202);
    expect(res.headers['x-request-id']).toBe('req-fast-1');
  });
});

describe('POST /events: which requests the fast route takes', () => {
  let h: EventsHarness;
  let app: Application;
  let caller: TestCaller;
  const p = `fw${uniq()}`;
  const pattern = `${p}.thing.happened`;
  const body = () => ({ pattern, payload: { n: 1 } });

  beforeAll(async () => {
    h = await createEventsHarness({ handoff: false });
    // Marks every answer that went through Express's middleware.
    const marker: RequestHandler = (_req, res, next) => {
      res.setHeader('X-Via-Express', '1');
      next();
    };
    app = createApp(h.deps, {
      routes: allRoutes(),
      authorize: createAuthorizer(h.deps),
      headers: recordHeaders(helmet()),
      before: [marker],
    });
    caller = await createTestCaller(h.deps, ['events:publish'], 'fw');
    await h.http
      .post('/api/v1/event-definitions')
      .send({ event_id: `${p}-ev`, name: 'Thing', pattern, version: '1.0.0' })
      .expect(201);
  });
  afterAll(() => h.close());
  const auth = () => caller.bearer.Authorization!;

  it('takes a plain JSON POST to /api/v1/events', async () => {
    const res = await request(app).post(EVENTS).set('Authorization', auth()).send(body()).expect(202);
    expect(res.headers['x-via-express']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('leaves compressed bodies, other JSON types, query strings and other paths to Express, which serves them the same', async () => {
    const viaExpress = [
      request(app)
        .post(EVENTS)
        .set('Authorization', auth())
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        // superagent would serialise a Buffer as JSON under this content type: send the bytes as they are.
        .serialize((b: Buffer) => b as unknown as string)
        .send(gzipSync(JSON.stringify(body()))),
      request(app)
        .post(EVENTS)
        .set('Authorization', auth())
        .set('Content-Type', 'application/cloudevents+json')
        .send(JSON.stringify(body())),
      request(app).post(`${EVENTS}?source=test`).set('Authorization', auth()).send(body()),
      request(app).post(`${EVENTS}/`).set('Authorization', auth()).send(body()),
    ];
    for (const res of await Promise.all(viaExpress)) {
      expect(res.status).toBe(202);
      expect(res.headers['x-via-express']).toBe('1');
    }
    const wrongType = await request(app)
      .post(EVENTS)
      .set('Authorization', auth())
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(body()));
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers['x-via-express']).toBe('1');
  });
});

describe('POST /events: the fast route logs like the Express stack', () => {
  const captured = captureLogger('trace');
  let api: TestApi;
  let caller: TestCaller;

  beforeAll(async () => {
    api = await createTestApi({ logger: captured.logger, config: { LOG_LEVEL: 'trace' } });
    caller = await createTestCaller(api.deps, ['events:publish'], 'fast-logs');
  });
  afterAll(() => api.close());

  it('tags the rejection line and the access line with the request id (and the caller)', async () => {
    const from = captured.lines.length;
    const res = await request(api.app)
      .post(EVENTS)
      .set(caller.bearer)
      .set('X-Request-Id', 'req-fast-log')
      .send({ pattern: `nope${uniq()}.x`, payload: {} });
    expect(res.status).toBe(422);
    for (let i = 0; i < 50 && !captured.lines.slice(from).some((l) => l.includes('"msg":"request"')); i++)
      await new Promise((r) => setTimeout(r, 10));
    const lines = captured.lines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: 'request rejected', requestId: 'req-fast-log' }),
        expect.objectContaining({
          msg: 'request',
          requestId: 'req-fast-log',
          userId: caller.userId,
          method: 'POST',
          path: EVENTS,
          status: 422,
        }),
      ]),
    );
  });
});
