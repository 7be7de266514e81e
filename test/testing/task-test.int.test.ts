/**
 * Single-task tests (docs/testing.md, "Testing one task"): a task definition runs once, with an input, through
 * its real executor on a real worker, and the answer carries the output or the error, both schema checks with
 * their pointers, and the timing. Nothing is mirrored, and a failing task is a 200 whose status says `failed`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { TaskTestResult } from '../../common/contracts/testing';
import { TASK_INSTANCES } from '../../db/repositories/task-instances';
import { createTaskDefinition, setTaskDefinitionStatus } from '../../services/definitions';
import { runTaskTest, storedTaskSnapshot } from '../../services/testing/task-test';
import { createTestApiWithWorker } from '../api/fixtures/worker';
import type { TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

jest.setTimeout(60_000);

let api: TestApi;
let tester: TestCaller;
let server: Server;
let serverUrl: string;
const received: string[] = [];

const priced = {
  task_id: 'tt-total',
  version: '1.0.0',
  name: 'order total',
  type: 'transform',
  config: { expression: '{ "total": $sum(items.(price * quantity)), "lines": $count(items) }' },
  input_schema: {
    type: 'object',
    required: ['items'],
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['price', 'quantity'],
          properties: { price: { type: 'number' }, quantity: { type: 'integer' } },
        },
      },
    },
  },
  output_schema: {
    type: 'object',
    required: ['total'],
    properties: { total: { type: 'number', maximum: 100 }, lines: { type: 'integer' } },
  },
};

beforeAll(async () => {
  api = await createTestApiWithWorker('tasktest');
  tester = await createTestCaller(api.deps, ['tests:write'], 'tester');
  server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ oops: 'broken' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await createTaskDefinition(api.deps.db, priced);
  await setTaskDefinitionStatus(api.deps.db, priced.task_id, '1.0.0', 'active');
  // A newer draft: the current version stays the active 1.0.0, and the draft can still be tested by version.
  await createTaskDefinition(api.deps.db, {
    ...priced,
    version: '1.1.0',
    config: { expression: '{ "total": 1, "lines": 0, "draft": true }' },
  });
});
afterAll(async () => {
  server?.close();
  await api?.close();
});

const post = (path: string, body: unknown) =>
  request(api.app)
    .post(`/api/v1${path}`)
    .set(tester.bearer)
    .send(body as object);

const order = (price: number, quantity: number) => ({
  items: [
    { price, quantity },
    { price: 1, quantity: 2 },
  ],
});

describe('testing a stored task', () => {
  it('when the task succeeds, then the output, two valid checks and the timing are answered', async () => {
    const before = await api.deps.db(TASK_INSTANCES).count<{ count: string }[]>('* as count');
    const res = await post('/task-definitions/tt-total/test', { input: order(10, 3) }).expect(200);
    const result = res.body as TaskTestResult;
    expect(result).toEqual({
      status: 'succeeded',
      output: { total: 32, lines: 2 },
      input_check: { valid: true, errors: [] },
      output_check: { valid: true, errors: [] },
      duration_ms: expect.any(Number),
      started_at: expect.any(String),
      task: { task_id: 'tt-total', version: '1.0.0', type: 'transform' },
    });
    expect(result.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Date.now() - Date.parse(result.started_at)).toBeLessThan(60_000);
    // Mirroring is off: a test leaves no task_instances rows.
    expect(await api.deps.db(TASK_INSTANCES).count<{ count: string }[]>('* as count')).toEqual(before);
  });

  it('when a version is named, then that version runs, a draft included', async () => {
    const res = await post('/task-definitions/tt-total/versions/1.1.0/test', { input: order(1, 1) }).expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({ status: 'succeeded', output: { total: 1, lines: 0, draft: true } }),
    );
    expect(res.body.task.version).toBe('1.1.0');
  });

  it('when the output breaks its output schema, then the output is shown with each error and its pointer', async () => {
    const res = await post('/task-definitions/tt-total/test', { input: order(50, 3) }).expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        status: 'failed',
        output: { total: 152, lines: 2 },
        input_check: { valid: true, errors: [] },
        output_check: { valid: false, errors: [{ pointer: '/output/total', message: expect.any(String) }] },
        error: expect.objectContaining({ type: 'SchemaViolation', retryable: false }),
      }),
    );
    expect(res.body.error.message).toContain('/output/total');
  });

  it('when the input breaks its input schema, then every error has its pointer and the executor never runs', async () => {
    const input = { items: [{ price: 'ten', quantity: 1.5 }] };
    const res = await post('/task-definitions/tt-total/test', { input }).expect(200);
    const result = res.body as TaskTestResult;
    expect(result.status).toBe('failed');
    expect(result.error?.type).toBe('SchemaViolation');
    expect(result.input_check.valid).toBe(false);
    expect(result.input_check.errors.map((e) => e.pointer).sort()).toEqual([
      '/input/items/0/price',
      '/input/items/0/quantity',
    ]);
    expect(result).not.toHaveProperty('output');
    expect(result).not.toHaveProperty('output_check');
  });

  it('when the executor fails, then the error is the result: its type, message and details', async () => {
    await createTaskDefinition(api.deps.db, {
      task_id: 'tt-broken-http',
      version: '1.0.0',
      name: 'broken',
      type: 'http',
      config: { method: 'POST', url: `${serverUrl}/orders/{% $input.id %}`, body: '{% $input %}' },
      // Retries do not apply to a test: one attempt, whatever the policy says.
      retry_policy: { max_attempts: 5, initial_interval: '10s' },
    });
    const calls = received.length;
    const res = await post('/task-definitions/tt-broken-http/test', { input: { id: 'o-7' } }).expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        status: 'failed',
        error: {
          type: 'UnexpectedStatus',
          message: expect.any(String),
          details: expect.objectContaining({ status: 500, body: { oops: 'broken' } }),
          retryable: true,
        },
        input_check: { valid: true, errors: [] },
      }),
    );
    expect(received.slice(calls)).toEqual(['POST /orders/o-7']);
  });

  it('when the task is unknown, then 404', async () => {
    await post('/task-definitions/tt-nobody/test', { input: {} }).expect(404);
    await post('/task-definitions/tt-total/versions/9.9.9/test', { input: {} }).expect(404);
  });

  it('when the body has an unknown field, then 422 with its pointer', async () => {
    const res = await post('/task-definitions/tt-total/test', { inputs: {} }).expect(422);
    expect(JSON.stringify(res.body)).toContain('inputs');
  });
});

describe('testing a task definition document before saving it', () => {
  it('when the document is valid, then it runs as stored and nothing is stored', async () => {
    const definition = { ...priced, task_id: 'tt-unsaved', output_schema: undefined };
    const res = await post('/task-definitions/test', { definition, input: order(50, 3) }).expect(200);
    expect(res.body).toEqual(expect.objectContaining({ status: 'succeeded', output: { total: 152, lines: 2 } }));
    expect(res.body.task).toEqual({ task_id: 'tt-unsaved', version: '1.0.0', type: 'transform' });
    await expect(storedTaskSnapshot(api.deps.db, 'tt-unsaved')).rejects.toMatchObject({ status: 404 });
  });

  it('when the document is invalid, then 422 lists every error under /body/definition and nothing runs', async () => {
    const calls = received.length;
    const definition = {
      task_id: 'tt bad id',
      version: 'one',
      name: 'bad',
      type: 'http',
      config: { method: 'POST', url: `${serverUrl}/never` },
    };
    const res = await post('/task-definitions/test', { definition, input: {} }).expect(422);
    const pointers = (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/body/definition/task_id', '/body/definition/version']));
    expect(received.length).toBe(calls);
  });

  it('when the document is a manual task, then 422: a person does it', async () => {
    const definition = {
      task_id: 'tt-manual',
      version: '1.0.0',
      name: 'approve',
      type: 'manual',
      config: {},
      ui_component: { component_id: 'approval-form' },
    };
    const res = await post('/task-definitions/test', { definition, input: {} }).expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/body/definition/type' })]);
  });
});

describe('the service other features reuse', () => {
  it('runs a snapshot with a shorter bound and answers a timeout as a failed result', async () => {
    const task = {
      task_id: 'tt-slow',
      version: '1.0.0',
      name: 'slow',
      type: 'code' as const,
      config: { handler: 'sleep' },
    };
    const result = await runTaskTest(api.deps, { task, input: { ms: 5_000 }, timeoutMs: 500 });
    expect(result.status).toBe('failed');
    expect(result.error).toEqual(expect.objectContaining({ type: 'Timeout', retryable: true }));
  });
});
