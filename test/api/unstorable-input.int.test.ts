/**
 * Input PostgreSQL cannot store or compare is refused at the edge with a 4xx naming the field, on every
 * route of allRoutes(): list cursors and timestamps that are well-formed but out of range (400), NUL
 * characters and unpaired surrogates anywhere in a body (422), a path or a query (400).
 */
import request from 'supertest';
import type { RouteDefinition } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { encodeCursor } from '../../db/repositories/keyset';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { uniqueTaskQueue } from '../helpers/temporal';
import { fixtureFor, routeFixtures, urlOf, type Fixture, type FixtureGroup } from './fixtures';

let api: TestApi;
let admin: TestCaller;
let fixtures: FixtureGroup;

beforeAll(async () => {
  // A task queue no worker polls: runs started by the fixtures stay put.
  api = await createTestApi({ config: { TASK_QUEUE: uniqueTaskQueue('unstorable') } });
  admin = await createTestCaller(api.deps, ['*'], 'unstorable');
  fixtures = routeFixtures(api.deps);
  await fixtures.setup();
});
afterAll(async () => api?.close());

const ID = '00000000-0000-4000-8000-000000000000';
const props = (schema: unknown) => (schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
const listRoutes = allRoutes().filter((r) => r.method === 'get' && 'cursor' in props(r.query));

/** Sends `route`'s fixture request with its URL and body replaced as given. */
async function call(route: RouteDefinition, f: Fixture, url: string, body?: unknown): Promise<request.Response> {
  const req = request(api.app)
    [route.method](url)
    .set({ ...admin.bearer, ...f.headers });
  return body === undefined ? req : req.send(body as object);
}

/** What a refusal looks like, reduced to what the test asserts. */
function refusal(res: request.Response) {
  return {
    status: res.status,
    problem: /^application\/problem\+json/.test(String(res.headers['content-type'])),
    pointers: ((res.body?.errors ?? []) as Array<{ pointer: string }>).map((e) => e.pointer),
  };
}

/** Every string in `value` (keys excluded) passed through `f`. */
function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

describe('list cursors and timestamps out of PostgreSQL range', () => {
  const cursors = [
    '2026-13-45 10:00:00+00',
    '0000-01-01 10:00:00+00',
    '9999-12-31 23:59:59+99',
    '2026-02-30 10:00:00+00',
    '2026-01-01 10:00:00+16',
  ].map((t) => encodeCursor(t, ID));

  it('covers every list route', () => expect(listRoutes.length).toBeGreaterThan(10));

  it.each(listRoutes.map((r) => [r.operationId, r] as const))(
    '%s refuses a crafted cursor with 400 naming `cursor`',
    async (_id, route) => {
      const f = await fixtureFor(fixtures.table, route)(admin);
      for (const cursor of cursors) {
        const res = await call(route, f, urlOf(route, { ...f, query: { ...f.query, cursor } }));
        expect({ cursor, ...refusal(res) }).toEqual({
          cursor,
          status: 400,
          problem: true,
          pointers: ['/query/cursor'],
        });
      }
    },
  );

  it('refuses a date-time PostgreSQL cannot store, in a query (400) and in a body (422)', async () => {
    const list = allRoutes().find((r) => r.operationId === 'listWorkflowDefinitions')!;
    for (const t of ['0000-01-01T00:00:00Z', '2026-01-01T10:00:00+23:00']) {
      const res = await call(list, { status: 200 }, urlOf(list, { query: { created_after: t } }));
      expect(refusal(res)).toEqual({ status: 400, problem: true, pointers: ['/query/created_after'] });
    }
    const res = await request(api.app)
      .post('/api/v1/api-keys')
      .set(admin.bearer)
      .send({ name: 'old key', expires_at: '0000-12-31T00:00:00Z' });
    expect(refusal(res)).toEqual({ status: 422, problem: true, pointers: ['/body/expires_at'] });
  });
});

describe('NUL characters and unpaired surrogates', () => {
  it('POST /auth/login without credentials answers 422 naming the field', async () => {
    for (const username of ['ad\u0000min', 'ad\ud800min']) {
      const res = await request(api.app).post('/api/v1/auth/login').send({ username, password: 'whatever password' });
      expect(refusal(res)).toEqual({ status: 422, problem: true, pointers: ['/body/username'] });
    }
  });

  const bodyRoutes = allRoutes().filter((r) => r.body);
  it.each(bodyRoutes.map((r) => [r.operationId, r] as const))(
    '%s refuses them in its body with 422 naming each field',
    async (_id, route) => {
      const f = await fixtureFor(fixtures.table, route)(admin);
      const valid = (f.body ?? {}) as Record<string, unknown>;
      for (const bad of ['\u0000', '\udc00']) {
        // In every string value of the valid body (when it has any), and in a key.
        const values = mapStrings(valid, (s) => `${s}${bad}`);
        for (const body of [
          ...(JSON.stringify(values) === JSON.stringify(valid) ? [] : [values]),
          { ...valid, [`key${bad}`]: 'x' },
        ]) {
          const res = await call(route, f, urlOf(route, f), body);
          const messages = ((res.body?.errors ?? []) as Array<{ message: string }>).map((e) => e.message);
          expect({
            status: res.status,
            some: messages.length > 0,
            all: messages.every((m) => /NUL character or an unpaired surrogate/.test(m)),
          }).toEqual({ status: 422, some: true, all: true });
        }
      }
    },
  );

  const paramRoutes = allRoutes().filter((r) => r.path.includes(':'));
  it.each(paramRoutes.map((r) => [r.operationId, r] as const))(
    '%s refuses NUL in a path parameter (400)',
    async (_id, route) => {
      const f = await fixtureFor(fixtures.table, route)(admin);
      const [name] = Object.keys(f.params ?? {});
      const res = await call(
        route,
        f,
        urlOf(route, { ...f, params: { ...f.params, [name!]: `${f.params![name!]}\u0000` } }),
        f.body,
      );
      expect(refusal(res)).toEqual(expect.objectContaining({ status: 400, problem: true }));
      expect(refusal(res).pointers).toContain(`/params/${name}`);
    },
  );

  const queryRoutes = allRoutes().filter((r) => Object.keys(props(r.query)).length > 0);
  it.each(queryRoutes.map((r) => [r.operationId, r] as const))(
    '%s refuses NUL in every query parameter (400)',
    async (_id, route) => {
      const f = await fixtureFor(fixtures.table, route)(admin);
      for (const name of Object.keys(props(route.query))) {
        const res = await call(route, f, urlOf(route, { ...f, query: { ...f.query, [name]: 'a\u0000b' } }), f.body);
        expect({ name, ...refusal(res) }).toEqual(
          expect.objectContaining({
            name,
            status: 400,
            problem: true,
            pointers: expect.arrayContaining([`/query/${name}`]),
          }),
        );
      }
    },
  );
});
