/**
 * Malformed input to every write endpoint of the API's own resources: wrong types, missing fields, huge
 * strings, prototype-pollution keys, deep nesting, non-JSON, wrong content types. Only 4xx problem+json
 * answers are allowed, and no table changes (checksums of every touched table before and after).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import type { RouteDefinition } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { routeFixtures, type Fixture } from './fixtures';

const OWNED_TAGS = new Set(['auth', 'users', 'api-keys', 'ui-components', 'integrations', 'tests']);
const TABLES = [
  'auth_service.users', 'auth_service.roles', 'auth_service.user_roles', 'auth_service.role_permissions', 'auth_service.api_keys', 'auth_service.refresh_tokens',
  'web_application_service.ui_components', 'web_application_service.ui_component_history',
  'integration_service.integration_definitions', 'integration_service.integration_definition_history', 'integration_service.integration_instances',
  'testing_framework_service.test_definitions', 'testing_framework_service.test_definition_history',
  'testing_framework_service.test_runs', 'testing_framework_service.test_case_results',
];
const writes = allRoutes().filter((r) => r.method !== 'get' && r.tags.some((t) => OWNED_TAGS.has(t)));

let api: TestApi;
let admin: TestCaller;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  api = await createTestApi();
  admin = await createTestCaller(api.deps, ['*'], 'fuzzer');
});
afterAll(async () => api.close());

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) out[t] = (await api.deps.db.raw(`SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x.id)), '') AS s FROM ${t} x`)).rows[0].s;
  return out;
}

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

const WRONG_VALUES: unknown[] = [12345, -1.5, 'a string', true, null, [], {}, ['x'], 'x'.repeat(100_000), deep(200)];

/** Raw payloads sent as-is: [content-type, body]. */
const RAW: Array<[string, string]> = [
  ['application/json', '{"name": '],
  ['application/json', 'not json at all'],
  ['application/json', '[1,2,3]'],
  ['application/json', '"just a string"'],
  ['application/json', 'null'],
  ['application/json', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'],
  ['application/json', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`],
  ['application/json', `{"name": "${'x'.repeat(2 * 1024 * 1024)}"}`],
  ['text/plain', '{"name": "x"}'],
  ['application/x-www-form-urlencoded', 'name=x&version=1'],
  ['application/xml', '<name>x</name>'],
  ['', ''],
];

/** Schema-invalid JSON bodies derived from a valid one: each property replaced by wrong values, each required one removed. */
function mutations(route: RouteDefinition, valid: Record<string, unknown>): unknown[] {
  const schema = route.body as { properties?: Record<string, unknown>; required?: string[] };
  const validate = ajv.compile(route.body as object);
  const out: unknown[] = [{}, { ...valid, unexpected_field: 1 }, { ...valid, __proto__: { admin: true } }];
  for (const key of Object.keys(schema.properties ?? {})) for (const v of WRONG_VALUES) out.push({ ...valid, [key]: v });
  for (const key of schema.required ?? []) { const copy = { ...valid }; delete copy[key]; out.push(copy); }
  return out.filter((b) => !validate(JSON.parse(JSON.stringify(b))));
}

function target(route: RouteDefinition, f: Fixture): string {
  return `/api/v1${route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, n: string) => encodeURIComponent(f.params?.[n] ?? 'missing'))}`;
}

function expectProblem(res: request.Response, what: string): void {
  expect({ what, status: res.status >= 400 && res.status < 500, type: res.headers['content-type'] })
    .toEqual({ what, status: true, type: expect.stringMatching(/application\/problem\+json/) });
}

describe('malformed writes', () => {
  it(`are refused with 4xx problem+json and write nothing (${writes.length} endpoints)`, async () => {
    const fixtures = routeFixtures(api.deps);
    await fixtures.setup();
    const cases: Array<{ route: RouteDefinition; f: Fixture }> = [];
    for (const route of writes) {
      const make = fixtures.table[route.operationId];
      cases.push({ route, f: make ? await make(admin) : { body: {}, status: 0 } });
    }
    const before = await snapshot();
    let sent = 0;
    for (const { route, f } of cases) {
      const url = target(route, f);
      const headers = { ...admin.bearer, ...f.headers };
      // Bad path parameters.
      if (route.params) {
        const bad = url.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'not-a-uuid');
        if (bad !== url) { expectProblem(await request(api.app)[route.method](bad).set(headers).send(f.body as object), `${route.operationId} bad params`); sent++; }
      }
      if (!route.body) continue;
      for (const [type, raw] of RAW) {
        const req = request(api.app)[route.method](url).set(headers);
        if (type) req.set('Content-Type', type);
        expectProblem(await req.send(raw), `${route.operationId} raw ${type} ${raw.slice(0, 40)}`);
        sent++;
      }
      for (const body of mutations(route, (f.body ?? {}) as Record<string, unknown>)) {
        expectProblem(await request(api.app)[route.method](url).set(headers).send(body as object), `${route.operationId} ${JSON.stringify(body).slice(0, 80)}`);
        sent++;
      }
    }
    expect(sent).toBeGreaterThan(500);
    expect(await snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
