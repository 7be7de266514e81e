/** The HTTP server: security headers, body limit, request ids, and a graceful close that finishes in-flight requests. */
import pino from 'pino';
import { defineRoute } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { startApiServer, type ApiServer } from '../../api/server';
import { testConfig } from '../helpers/api';
import { createTestDb } from '../helpers/db';
import { createTestClient } from '../helpers/temporal';
import type { ApiDeps } from '../../api/deps';

let deps: ApiDeps;
let entered!: () => void;
let release!: () => void;
const enteredP = new Promise<void>((r) => {
  entered = r;
});
const releaseP = new Promise<void>((r) => {
  release = r;
});

const slow = defineRoute({
  method: 'get',
  path: '/test/slow',
  operationId: 'slowTest',
  summary: 'Waits until the test releases it',
  tags: ['test'],
  permission: 'public',
  responses: { 200: { description: 'done' } },
  handler: async () => {
    entered();
    await releaseP;
    return { body: { finished: true } };
  },
});

beforeAll(async () => {
  deps = {
    config: testConfig({ API_BODY_LIMIT: '10kb' }),
    logger: pino({ level: 'silent' }),
    db: createTestDb(),
    temporal: await createTestClient(),
  };
});
afterAll(async () => {
  await deps.temporal.connection.close();
  await deps.db.destroy();
});

describe('API server', () => {
  let server: ApiServer;
  beforeEach(async () => {
    server = await startApiServer(deps, { host: '127.0.0.1', port: 0, routes: [...allRoutes(), slow] });
  });
  afterEach(async () => server.close());

  it('sends security headers and request ids', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect((await fetch(`${server.url}/api/v1/healthz`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body over the limit with 413 problem+json', async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'x', password: 'y'.repeat(20_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('finishes an in-flight request while close() is pending, and refuses new connections', async () => {
    const inflight = fetch(`${server.url}/api/v1/test/slow`);
    await enteredP;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    release();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ finished: true });
    await closing;
    expect(closed).toBe(true);
  });
});
