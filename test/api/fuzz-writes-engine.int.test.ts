/**
 * Malformed input to every write endpoint of the engine and the event subsystem: workflow and task
 * definitions (create, versions, drafts, activate/deprecate, dry runs), runs, cancel/terminate/reconcile,
 * event definitions, events (single and batch), triggers and dead letters (redrive/discard). Only 4xx
 * problem+json answers (dry runs: 200 `valid: false`), and no table of the eight schemas changes.
 */
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { uniqueTaskQueue } from '../helpers/temporal';
import { FUZZ_GROUPS, fuzzWrites } from './fuzz/fuzz-writes';

// Thousands of requests, each with its own deadline: on a busy 2-core machine the whole sweep can pass a minute.
jest.setTimeout(240_000);

let api: TestApi;
let admin: TestCaller;

beforeAll(async () => {
  // A task queue no worker polls: runs started by the fixtures stay put, so nothing writes behind the test's back.
  api = await createTestApi({ config: { TASK_QUEUE: uniqueTaskQueue('fuzz') } });
  admin = await createTestCaller(api.deps, ['*'], 'fuzzer');
});
afterAll(async () => api?.close());

describe('malformed writes to the engine and event endpoints', () => {
  it('are refused with 4xx problem+json and write nothing', async () => {
    expect(await fuzzWrites(api, admin, FUZZ_GROUPS.engine)).toBeGreaterThan(1000);
  });
});
