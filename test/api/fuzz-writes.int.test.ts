/**
 * Malformed input to every write endpoint of the API's own resources (auth, users, roles, API keys, UI
 * components, integrations, tests): only 4xx problem+json answers, and no table of the eight schemas
 * changes. The engine and event endpoints are fuzzed by fuzz-writes-engine.int.test.ts.
 */
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { FUZZ_GROUPS, fuzzWrites, writeRoutes } from './fuzz/fuzz-writes';

// Thousands of requests, each with its own deadline: on a busy 2-core machine the whole sweep can pass a minute.
jest.setTimeout(240_000);

let api: TestApi;
let admin: TestCaller;

beforeAll(async () => {
  api = await createTestApi();
  admin = await createTestCaller(api.deps, ['*'], 'fuzzer');
});
afterAll(async () => api?.close());

describe('malformed writes to the API resources', () => {
  it('leave no write route of allRoutes() unfuzzed', () => {
    const covered = new Set(Object.values(FUZZ_GROUPS).flat());
    const missing = writeRoutes()
      .filter((r) => !r.tags.some((t) => covered.has(t)))
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('are refused with 4xx problem+json and write nothing', async () => {
    expect(await fuzzWrites(api, admin, FUZZ_GROUPS.own)).toBeGreaterThan(500);
  });
});
