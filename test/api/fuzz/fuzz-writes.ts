/**
 * The fuzz run shared by the fuzz test files: every write operation of the OpenAPI document, within a group
 * of tags, gets its malformed variants (test/api/fuzz/bodies.ts) and hostile path parameters; each must be
 * answered 4xx problem+json whose `status` matches the response, within a deadline, and no table of the
 * eight schemas may change. Dry-run routes (`/validate`) answer 200 `valid: false` to schema-invalid
 * documents, which writes nothing either. Then awkward but valid unicode is sent: it may be stored, never a 5xx.
 */
import request from 'supertest';
import type { RouteDefinition } from '../../../api/http/route';
import { buildOpenApi } from '../../../api/openapi/build';
import { allRoutes } from '../../../api/routes';
import type { TestApi } from '../../helpers/api';
import type { TestCaller } from '../../helpers/auth';
import { fixtureFor, routeFixtures, urlOf, type Fixture } from '../fixtures';
import { awkwardBodies, badParams, bodyMutations, NOT_A_BODY, UNPARSEABLE } from './bodies';
import { snapshotTables } from './snapshot';

/** Longest any one fuzz request may take before it counts as a hang. */
export const REQUEST_DEADLINE_MS = 10_000;

/** Path parameter values, already percent-encoded: NUL, invalid UTF-8 (a lone surrogate), RTL override, a bare %, traversal, length. */
export const RAW_PARAMS = ['%00', 'a%00b', '%ED%A0%80', '%E2%80%AE', '%', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(3000)];

/** The operations of the OpenAPI document (method, path, operationId), each matched to its route declaration. */
export function documentedOperations(): Array<{ method: string; path: string; route: RouteDefinition }> {
  const routes = new Map(allRoutes().map((r) => [r.operationId, r]));
  const doc = buildOpenApi(allRoutes()) as { paths: Record<string, Record<string, { operationId: string }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const route = routes.get(op.operationId);
      if (!route) throw new Error(`OpenAPI operation ${op.operationId} has no route declaration`);
      return { method, path, route };
    }),
  );
}

/** `route`'s URL with its first path parameter replaced by `raw` (already encoded), the others from `f`. */
export function urlWithRawParam(route: RouteDefinition, f: Pick<Fixture, 'params'>, raw: string): string {
  let first = true;
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
    const value = first ? raw : encodeURIComponent(f.params?.[name] ?? 'missing');
    first = false;
    return value;
  });
  return `/api/v1${path}`;
}

/** Tags of each fuzz test file; together they must cover every write route. */
export const FUZZ_GROUPS = {
  own: ['auth', 'users', 'api-keys', 'ui-components', 'integrations', 'tests'],
  engine: [
    'workflow-definitions',
    'task-definitions',
    'workflow-instances',
    'event-definitions',
    'events',
    'triggers',
    'dead-letters',
    'human-tasks',
    'bulk-operations',
    'schedules',
  ],
};

/** Operations that change state, as the OpenAPI document lists them. */
export const writeRoutes = (): RouteDefinition[] =>
  documentedOperations()
    .filter((o) => o.method !== 'get')
    .map((o) => o.route);

const DRY_RUN = new Set(['validateWorkflowDefinition', 'validateTaskDefinition', 'validateUiComponent']);

/** What a malformed request got, in a form that names it when the expectation fails. */
async function outcome(what: string, res: request.Response, dryRun: boolean) {
  let body: { status?: unknown; valid?: unknown } = {};
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    /* not JSON: the expectation below shows it */
  }
  if (dryRun && res.status === 200) return { what, ok: body.valid === false };
  const problem = /^application\/problem\+json/.test(String(res.headers['content-type']));
  return {
    what,
    ok: res.status >= 400 && res.status < 500 && problem && body.status === res.status,
    ...(!(res.status >= 400 && res.status < 500 && problem) && { status: res.status, body: res.text.slice(0, 300) }),
  };
}

/** Sends every malformed variant to the write routes tagged with `tags`; returns how many were sent. */
export async function fuzzWrites(api: TestApi, admin: TestCaller, tags: string[]): Promise<number> {
  const routes = writeRoutes().filter((r) => r.tags.some((t) => tags.includes(t)));
  const fixtures = routeFixtures(api.deps);
  await fixtures.setup();
  const cases: Array<{ route: RouteDefinition; f: Fixture }> = [];
  for (const route of routes) cases.push({ route, f: await fixtureFor(fixtures.table, route)(admin) });

  const before = await snapshotTables(api.deps.db);
  let sent = 0;
  const check = async (route: RouteDefinition, what: string, req: request.Test) => {
    const res = await req.timeout({ deadline: REQUEST_DEADLINE_MS });
    expect(await outcome(`${route.operationId}: ${what.slice(0, 80)}`, res, DRY_RUN.has(route.operationId))).toEqual(
      expect.objectContaining({ ok: true }),
    );
    sent++;
  };
  for (const { route, f } of cases) {
    const headers = { ...admin.bearer, ...f.headers };
    const call = (url = urlOf(route, f)) => request(api.app)[route.method](url).set(headers);
    for (const params of badParams(route, f.params ?? {})) {
      const req = call(urlOf(route, { ...f, params }));
      await check(route, `params ${JSON.stringify(params)}`, f.body === undefined ? req : req.send(f.body as object));
    }
    if (route.params) {
      for (const raw of RAW_PARAMS) {
        const req = call(urlWithRawParam(route, f, raw));
        await check(route, `raw param ${raw.slice(0, 40)}`, f.body === undefined ? req : req.send(f.body as object));
      }
    }
    // Routes without a body ignore one that parses; only unparseable or oversized payloads must be refused.
    for (const [type, raw] of route.body ? [...UNPARSEABLE, ...NOT_A_BODY] : UNPARSEABLE) {
      const req = call();
      if (type) req.set('Content-Type', type);
      await check(route, `raw ${type} ${raw}`, req.send(raw));
    }
    if (!route.body) continue;
    for (const text of bodyMutations(route, (f.body ?? {}) as Record<string, unknown>, f.params)) {
      await check(route, text, call().set('Content-Type', 'application/json').send(text));
    }
  }
  expect(await snapshotTables(api.deps.db)).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).admin).toBeUndefined();

  // Valid but awkward unicode may be accepted (and stored); it must never be a 5xx or a hang.
  for (const { route, f } of cases) {
    if (!route.body || !f.body || typeof f.body !== 'object' || Array.isArray(f.body)) continue;
    for (const text of awkwardBodies(f.body as Record<string, unknown>)) {
      const res = await request(api.app)
        [route.method](urlOf(route, f))
        .set({ ...admin.bearer, ...f.headers })
        .set('Content-Type', 'application/json')
        .send(text)
        .timeout({ deadline: REQUEST_DEADLINE_MS });
      expect({
        what: `${route.operationId}: ${text.slice(0, 80)}`,
        serverError: res.status >= 500,
        body: res.status >= 500 ? res.text.slice(0, 300) : '',
      }).toEqual({ what: `${route.operationId}: ${text.slice(0, 80)}`, serverError: false, body: '' });
      sent++;
    }
  }
  return sent;
}
