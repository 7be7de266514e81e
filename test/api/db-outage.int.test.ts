/**
 * A database outage is answered 503 with Retry-After, never 500: clients and monitors can tell an outage from
 * a bug. The shared PostgreSQL server is never stopped: the app under test reaches it through a TCP proxy the
 * test closes (connections reset, then refused), and an in-flight query is ended by pg_terminate_backend
 * (SQLSTATE 57P01, what a server shutdown sends).
 */
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { Knex } from 'knex';
import pino from 'pino';
import request from 'supertest';
import { createApiApp } from '../../api/api-app';
import type { ApiDeps } from '../../api/deps';
import { defineRoute } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { createDb } from '../../db/connection';
import { testConfig } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { createTestDb } from '../helpers/db';
import { createTestClient } from '../helpers/temporal';
import { TEST_ENV } from '../harness-state';

/** A TCP proxy to PostgreSQL that the test can cut (every open connection reset, new ones refused). */
async function pgProxy(target: URL): Promise<{ url: string; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.href,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.resetAndDestroy();
      await closed;
    },
  };
}

const SLOW_QUERY_TAG = 'aos-outage-test-slow-query';
/** A test-only route holding a query open, so the test can end its backend mid-query. */
const slowRoute = defineRoute({
  method: 'get',
  path: '/test-only/slow-query',
  operationId: 'testSlowQuery',
  summary: 'test only',
  tags: ['test-only'],
  permission: 'public',
  responses: { 200: { description: 'done' } },
  handler: async ({ deps }) => ({ body: await deps.db.raw(`select pg_sleep(30) /* ${SLOW_QUERY_TAG} */`) }),
});

let direct: Knex;
let caller: TestCaller;
const closers: Array<() => Promise<unknown>> = [];

/** The API on `db` (principal cache off: every request authenticates against the database). */
async function appOn(db: Knex) {
  const temporal = await createTestClient();
  closers.push(
    () => temporal.connection.close(),
    () => db.destroy(),
  );
  const deps: ApiDeps = {
    config: testConfig({ AUTH_PRINCIPAL_CACHE_TTL_MS: '0' }),
    db,
    temporal,
    logger: pino({ level: 'silent' }),
  };
  return createApiApp(deps, { routes: [...allRoutes(), slowRoute] });
}

beforeAll(async () => {
  direct = createTestDb();
  caller = await createTestCaller({ db: direct, config: testConfig() }, ['*'], 'outage');
});
afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  await direct?.destroy();
});

/** The answer every client must get while the database is out. */
function expectUnavailable(res: request.Response): void {
  expect({
    status: res.status,
    type: res.headers['content-type'],
    retryAfter: res.headers['retry-after'],
    title: res.body.title,
  }).toEqual({
    status: 503,
    type: expect.stringMatching(/^application\/problem\+json/),
    retryAfter: expect.stringMatching(/^\d+$/),
    title: 'Service Unavailable',
  });
}

describe('during a database outage', () => {
  it('when the database stops mid-session (connections reset, then refused), then requests get 503 with Retry-After', async () => {
    const proxy = await pgProxy(new URL(process.env[TEST_ENV.databaseUrl]!));
    const app = await appOn(createDb({ url: proxy.url, poolMax: 2 }));
    await request(app).get('/api/v1/workflow-definitions').set(caller.bearer).expect(200);

    await proxy.cut();
    expectUnavailable(await request(app).get('/api/v1/workflow-definitions').set(caller.bearer));
    expectUnavailable(
      await request(app).post('/api/v1/auth/login').send({ username: caller.username, password: 'not-the-password-1' }),
    );
    expectUnavailable(
      await request(app)
        .post('/api/v1/workflow-definitions')
        .set(caller.bearer)
        .send({ workflow_id: 'outage', name: 'outage', version: '1.0.0', steps: [{ id: 'done', type: 'succeed' }] }),
    );
  });

  it('when the database refuses connections from the start, then requests get 503 with Retry-After', async () => {
    const proxy = await pgProxy(new URL(process.env[TEST_ENV.databaseUrl]!));
    await proxy.cut();
    const app = await appOn(createDb({ url: proxy.url, poolMax: 2 }));
    expectUnavailable(await request(app).get('/api/v1/workflow-instances').set(caller.bearer));
    expectUnavailable(
      await request(app).post('/api/v1/auth/login').send({ username: caller.username, password: 'not-the-password-1' }),
    );
  });

  it('when the server shuts a query down (57P01 admin_shutdown), then the request gets 503 with Retry-After', async () => {
    const app = await appOn(createTestDb());
    const pending = request(app)
      .get('/api/v1/test-only/slow-query')
      .then((res) => res);
    let terminated = 0;
    for (let i = 0; i < 100 && terminated === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { rows } = await direct.raw(
        `select pg_terminate_backend(pid) as ok from pg_stat_activity
        where query like ? and pid <> pg_backend_pid()`,
        [`%${SLOW_QUERY_TAG}%`],
      );
      terminated = (rows as Array<{ ok: boolean }>).filter((r) => r.ok).length;
    }
    expect(terminated).toBe(1);
    expectUnavailable(await pending);
  });
});
