/**
 * Authorization matrix over allRoutes(): routes added later are covered automatically. Every non-public
 * route answers 401 without credentials, 403 to a caller lacking its permission, and lets a caller with
 * exactly that permission through — by access token and by API key alike. Routes of this suite's own
 * resources must then succeed (2xx) with valid fixtures; others must at least pass authorization.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AUTHENTICATED } from '../../api/auth/permissions';
import type { RouteDefinition } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { ownedFixtures, type Fixture } from './fixtures';

const OWNED_TAGS = new Set(['auth', 'users', 'api-keys', 'ui-components', 'integrations', 'observability', 'tests']);
const protectedRoutes = allRoutes().filter((r) => r.permission !== 'public');

let api: TestApi;
let outsider: TestCaller;
let fixtures: ReturnType<typeof ownedFixtures>;
const callers = new Map<string, TestCaller>();

beforeAll(async () => {
  api = await createTestApi();
  outsider = await createTestCaller(api.deps, ['matrix:nothing'], 'outsider');
  fixtures = ownedFixtures(api.deps.db);
  await fixtures.setup();
});
afterAll(async () => api.close());

async function callerFor(permission: string): Promise<TestCaller> {
  const perms = permission === AUTHENTICATED ? [] : [permission];
  if (!callers.has(permission)) callers.set(permission, await createTestCaller(api.deps, perms, 'holder'));
  return callers.get(permission) as TestCaller;
}

function genericFixture(route: RouteDefinition): Fixture {
  const props = (route.params?.properties ?? {}) as Record<string, { format?: string }>;
  return { params: Object.fromEntries(Object.entries(props).map(([k, s]) => [k, s.format === 'uuid' ? randomUUID() : 'matrix-x'])), body: route.body ? {} : undefined };
}

function send(route: RouteDefinition, f: Fixture, headers: Record<string, string>) {
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(f.params?.[name] ?? 'missing'));
  const req = request(api.app)[route.method](`/api/v1${path}`).set({ ...headers, ...f.headers });
  return f.body === undefined ? req : req.send(f.body as object);
}

const owned = (r: RouteDefinition) => r.tags.some((t) => OWNED_TAGS.has(t));
const label = (r: RouteDefinition) => `${r.method.toUpperCase()} ${r.path} (${r.permission})`;

describe.each(protectedRoutes.map((r) => [label(r), r] as const))('%s', (_name, route) => {
  it('answers 401 problem+json without credentials, or with bad ones', async () => {
    const bad: Array<Record<string, string>> = [{}, { Authorization: 'Bearer not-a-token' }, { 'X-API-Key': 'aos_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }];
    for (const headers of bad) {
      const res = await send(route, genericFixture(route), headers);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('answers 403 to a caller lacking the permission (token and API key)', async () => {
    for (const headers of [outsider.bearer, outsider.keyHeader]) {
      const res = await send(route, genericFixture(route), headers);
      if (route.permission === AUTHENTICATED) expect([401, 403]).not.toContain(res.status);
      else expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: 403, type: expect.stringMatching(/problem\+json/) });
    }
  });

  it('lets a caller holding exactly that permission through (token and API key)', async () => {
    const caller = await callerFor(route.permission);
    for (const headers of [caller.bearer, caller.keyHeader]) {
      const make = fixtures.table[route.operationId];
      const f = make ? await make(caller) : genericFixture(route);
      const res = await send(route, f, headers);
      expect([401, 403]).not.toContain(res.status);
      if (owned(route)) {
        expect(make).toBeDefined();
        expect({ status: res.status, body: res.status >= 300 ? res.body : 'ok' }).toEqual({ status: expect.any(Number), body: 'ok' });
        expect(res.status).toBeLessThan(300);
      }
    }
  });
});
