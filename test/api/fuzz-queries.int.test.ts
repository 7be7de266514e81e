/**
 * Hostile query strings and path parameters on every read operation of the OpenAPI document: crafted and
 * garbage cursors, out-of-range timestamps, NUL, invalid UTF-8, repeated and prototype keys, huge and
 * non-numeric limits on every query parameter; NUL, invalid UTF-8, traversal and over-long values in every
 * path parameter. No 5xx, no hang, nothing written; what the API must refuse is refused with 4xx problem+json.
 */
import request from 'supertest';
import { encodeCursor } from '../../db/repositories/keyset';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { uniqueTaskQueue } from '../helpers/temporal';
import { fixtureFor, routeFixtures, urlOf } from './fixtures';
import { documentedOperations, RAW_PARAMS, REQUEST_DEADLINE_MS, urlWithRawParam } from './fuzz/fuzz-writes';
import { snapshotTables } from './fuzz/snapshot';

// Thousands of requests, each with its own deadline: on a busy 2-core machine the whole sweep can pass a minute.
jest.setTimeout(240_000);

let api: TestApi;
let admin: TestCaller;

beforeAll(async () => {
  api = await createTestApi({ config: { TASK_QUEUE: uniqueTaskQueue('fuzzq') } });
  admin = await createTestCaller(api.deps, ['*'], 'fuzzer');
});
afterAll(async () => api?.close());

const ID = '00000000-0000-4000-8000-000000000000';
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Query values (already percent-encoded) that must be refused whatever the parameter. */
const MUST_REFUSE = ['%00', 'a%00b'];

/** Query values (already percent-encoded) that may be valid for some parameter, never a 5xx. */
const HOSTILE = [
  ...MUST_REFUSE,
  '%ED%A0%80',
  '%E2%80%A8',
  '%E2%80%AE',
  '',
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  'NaN',
  '%27%3B%20DROP%20TABLE%20x%3B--',
  '%5B%5D',
  '%7B%7D',
  'x'.repeat(5000),
  '0000-01-01T00:00:00Z',
  '2026-13-45T10:00:00Z',
  '2026-01-01T10:00:00%2B99:00',
  '%',
];

/** Cursors a list must refuse with 400 naming `cursor`: out-of-range timestamps, wrong shapes, garbage. */
const BAD_CURSORS = [
  encodeCursor('2026-13-45 10:00:00+00', ID),
  encodeCursor('0000-01-01 10:00:00+00', ID),
  encodeCursor('9999-12-31 23:59:59+99', ID),
  encodeCursor('2026-01-01 10:00:00+00', 'not-a-uuid'),
  b64('[1,2]'),
  b64('{"a":1}'),
  b64('null'),
  b64('["x"]'),
  b64('\u0000'),
  'not base64 at all!',
  '%00',
  '',
  b64(JSON.stringify(['2026-01-01 10:00:00+00', ID, 'extra'])),
];

const reads = documentedOperations().filter((o) => o.method === 'get');
// No worker polls this file's task queue (nothing may run behind the test's back): a live-state query of a
// running run honestly answers 503 "Temporal did not answer in time".
const NEEDS_A_WORKER = new Set(['getWorkflowInstanceState']);

describe('hostile query strings and path parameters on every read operation', () => {
  it('are answered without a 5xx or a hang, refused where they must be, and write nothing', async () => {
    const fixtures = routeFixtures(api.deps);
    await fixtures.setup();
    const cases = [];
    for (const { route } of reads) cases.push({ route, f: await fixtureFor(fixtures.table, route)(admin) });
    const before = await snapshotTables(api.deps.db);
    const failures: string[] = [];
    let sent = 0;
    const send = async (
      what: string,
      url: string,
      mustRefuse: boolean,
      pointer?: string,
      operationId = what.split(' ')[0]!,
    ) => {
      const res = await request(api.app).get(url).set(admin.bearer).timeout({ deadline: REQUEST_DEADLINE_MS });
      sent++;
      const problem = /^application\/problem\+json/.test(String(res.headers['content-type']));
      const refused = res.status >= 400 && res.status < 500 && problem;
      const named =
        pointer === undefined ||
        ((res.body?.errors ?? []) as Array<{ pointer: string }>).some((e) => e.pointer === pointer);
      const unavailable = res.status === 503 && NEEDS_A_WORKER.has(operationId);
      if ((res.status >= 500 && !unavailable) || (mustRefuse && !(refused && named)))
        failures.push(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
    };
    for (const { route, f } of cases) {
      const base = urlOf(route, f);
      const sep = base.includes('?') ? '&' : '?';
      const query = Object.keys(((route.query ?? {}) as { properties?: object }).properties ?? {});
      for (const name of query) {
        // A parameter the fixture sets (a required one, e.g. `name` of the metric series) is replaced, not repeated:
        // the hostile value must be the parameter's only value for the refusal to name it.
        const own = new RegExp(`([?&])${name}=[^&]*(&|$)`);
        const bare = base.replace(own, (_m, lead: string, tail: string) => (tail ? lead : ''));
        const join = bare.includes('?') ? '&' : '?';
        for (const v of HOSTILE)
          await send(
            `${route.operationId} ?${name}=${v.slice(0, 30)}`,
            `${bare}${join}${name}=${v}`,
            MUST_REFUSE.includes(v),
            MUST_REFUSE.includes(v) ? `/query/${name}` : undefined,
          );
        await send(`${route.operationId} ?${name} repeated`, `${base}${sep}${name}=1&${name}=2&${name}[x]=3`, false);
      }
      await send(
        `${route.operationId} ?__proto__`,
        `${base}${sep}__proto__[polluted]=1&constructor[prototype][polluted]=1`,
        false,
      );
      if (query.includes('cursor')) {
        for (const c of BAD_CURSORS.filter((x) => x !== ''))
          await send(
            `${route.operationId} cursor ${c.slice(0, 30)}`,
            `${base}${sep}cursor=${c}`,
            true,
            '/query/cursor',
          );
      }
      if (route.params)
        for (const raw of RAW_PARAMS)
          await send(
            `${route.operationId} param ${raw.slice(0, 30)}`,
            urlWithRawParam(route, f, raw),
            raw.includes('%00'),
          );
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(500);
    expect(await snapshotTables(api.deps.db)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
