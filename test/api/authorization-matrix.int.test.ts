/**
 * Authorization matrix over allRoutes(): routes added later are covered automatically, and a route
 * without a fixture (test/api/fixtures/) fails here by name. Every non-public route answers 401 without
 * credentials and 403 to a caller lacking its permission; a caller holding exactly that permission gets
 * the documented answer to a valid request (its fixture's status: 200/201/204, 202 for ingest and
 * cancel), by access token and by API key alike. Public routes give that answer without credentials.
 */
import { randomUUID } from 'node:crypto';
import { AUTHENTICATED } from '../../api/auth/permissions';
import type { RouteDefinition } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import type { TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { fixtureFor, routeFixtures, send, type Fixture, type FixtureGroup } from './fixtures';
import { createTestApiWithWorker } from './fixtures/worker';

const routes = allRoutes();
const protectedRoutes = routes.filter((r) => r.permission !== 'public');
const publicRoutes = routes.filter((r) => r.permission === 'public');

let api: TestApi;
let outsider: TestCaller;
let fixtures: FixtureGroup;
const callers = new Map<string, TestCaller>();

beforeAll(async () => {
  api = await createTestApiWithWorker('matrix');
  outsider = await createTestCaller(api.deps, ['matrix:nothing'], 'outsider');
  fixtures = routeFixtures(api.deps, { worker: true });
  await fixtures.setup();
});
afterAll(async () => api?.close());

async function callerFor(permission: string): Promise<TestCaller> {
  const perms = permission === AUTHENTICATED ? [] : [permission];
  if (!callers.has(permission)) callers.set(permission, await createTestCaller(api.deps, perms, 'holder'));
  return callers.get(permission) as TestCaller;
}

/** Any well-formed request: authorization runs before validation, so 401/403 come first regardless. */
function anyRequest(route: RouteDefinition): Omit<Fixture, 'status'> {
  const props = (route.params?.properties ?? {}) as Record<string, { format?: string }>;
  return {
    params: Object.fromEntries(
      Object.entries(props).map(([k, s]) => [k, s.format === 'uuid' ? randomUUID() : 'matrix-x']),
    ),
    body: route.body ? {} : undefined,
  };
}

/** Status and, when it differs from the fixture's, the problem body (so a failure shows why). */
async function answer(route: RouteDefinition, f: Fixture, headers: Record<string, string>) {
  const res = await send(api.app, route, f, headers);
  return { route: route.operationId, status: res.status, ...(res.status !== f.status && { problem: res.body }) };
}

const label = (r: RouteDefinition) => `${r.method.toUpperCase()} ${r.path} (${r.permission})`;

it('has a fixture for every route of allRoutes()', () => {
  const missing = routes.filter((r) => !fixtures.table[r.operationId]).map(label);
  expect(missing).toEqual([]);
});

describe.each(protectedRoutes.map((r) => [label(r), r] as const))('%s', (_name, route) => {
  it('answers 401 problem+json without credentials, or with bad ones', async () => {
    const bad: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer not-a-token' },
      { 'X-API-Key': 'aos_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const headers of bad) {
      const res = await send(api.app, route, anyRequest(route), headers);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('answers 403 to a caller lacking the permission (token and API key)', async () => {
    for (const headers of [outsider.bearer, outsider.keyHeader]) {
      const res = await send(api.app, route, anyRequest(route), headers);
      if (route.permission === AUTHENTICATED) expect([401, 403]).not.toContain(res.status);
      else
        expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
          status: 403,
          type: expect.stringMatching(/problem\+json/),
        });
    }
  });

  it('gives a caller holding exactly that permission the documented answer to a valid request (token and API key)', async () => {
    const make = fixtureFor(fixtures.table, route);
    const caller = await callerFor(route.permission);
    for (const headers of [caller.bearer, caller.keyHeader]) {
      const f = await make(caller);
      expect(await answer(route, f, headers)).toEqual({ route: route.operationId, status: f.status });
    }
  });
});

describe.each(publicRoutes.map((r) => [label(r), r] as const))('%s', (_name, route) => {
  it('gives the documented answer to a valid request without credentials', async () => {
    const make = fixtureFor(fixtures.table, route);
    const f = await make(outsider);
    expect(await answer(route, f, {})).toEqual({ route: route.operationId, status: f.status });
  });
});
