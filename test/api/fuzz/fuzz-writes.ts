/**
 * The fuzz run shared by the fuzz test files: every write route of a group of tags gets its malformed
 * variants (test/api/fuzz/bodies.ts); each must be answered 4xx problem+json whose `status` matches the
 * response, and no table of the eight schemas may change. Dry-run routes (`/validate`) answer 200
 * `valid: false` to schema-invalid documents, which writes nothing either.
 */
import request from 'supertest';
import type { RouteDefinition } from '../../../api/http/route';
import { allRoutes } from '../../../api/routes';
import type { TestApi } from '../../helpers/api';
import type { TestCaller } from '../../helpers/auth';
import { fixtureFor, routeFixtures, urlOf, type Fixture } from '../fixtures';
import { badParams, bodyMutations, NOT_A_BODY, UNPARSEABLE } from './bodies';
import { snapshotTables } from './snapshot';

/** Tags of each fuzz test file; together they must cover every write route. */
export const FUZZ_GROUPS = {
  own: ['auth', 'users', 'api-keys', 'ui-components', 'integrations', 'tests'],
  engine: ['workflow-definitions', 'task-definitions', 'workflow-instances', 'event-definitions', 'events', 'triggers', 'dead-letters'],
};

/** Routes that change state. */
export const writeRoutes = (): RouteDefinition[] => allRoutes().filter((r) => r.method !== 'get');

const DRY_RUN = new Set(['validateWorkflowDefinition', 'validateTaskDefinition']);

/** What a malformed request got, in a form that names it when the expectation fails. */
async function outcome(what: string, res: request.Response, dryRun: boolean) {
  let body: { status?: unknown; valid?: unknown } = {};
  try { body = JSON.parse(res.text) as typeof body; } catch { /* not JSON: the expectation below shows it */ }
  if (dryRun && res.status === 200) return { what, ok: body.valid === false };
  const problem = /^application\/problem\+json/.test(String(res.headers['content-type']));
  return { what, ok: res.status >= 400 && res.status < 500 && problem && body.status === res.status, ...(!(res.status >= 400 && res.status < 500 && problem) && { status: res.status, body: res.text.slice(0, 300) }) };
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
    expect(await outcome(`${route.operationId}: ${what.slice(0, 80)}`, await req, DRY_RUN.has(route.operationId))).toEqual(expect.objectContaining({ ok: true }));
    sent++;
  };
  for (const { route, f } of cases) {
    const headers = { ...admin.bearer, ...f.headers };
    const call = (url = urlOf(route, f)) => request(api.app)[route.method](url).set(headers);
    for (const params of badParams(route, f.params ?? {})) {
      const req = call(urlOf(route, { ...f, params }));
      await check(route, `params ${JSON.stringify(params)}`, f.body === undefined ? req : req.send(f.body as object));
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
  return sent;
}
