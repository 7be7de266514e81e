/**
 * runTask against the real dev server and PostgreSQL: http (templating, status mapping, retries),
 * transform, code handlers (built-in and a user module), schema checks, unknown handler/type, task mirror.
 */
import { ActivityFailure, ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { createTaskActivities } from '../../activities/tasks';
import { builtinCodeHandlers } from '../../activities/tasks/builtin-handlers';
import { CodeHandlerRegistry, loadCodeHandlersModule } from '../../activities/tasks/code-handlers';
import type { StepContext, TaskDefinitionSnapshot } from '../../common/definitions/types';
import { createLogger } from '../../common/logger';
import { testConfig } from '../helpers/api';
import { createTestDb } from '../helpers/db';
import { createTestClient, startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { startFakeService, type FakeService } from './fixtures/http-server';
import { seedInstance } from './fixtures/rows';
import type { RunTaskOptions } from './workflows';

jest.setTimeout(60_000);
const taskQueue = uniqueTaskQueue('run-task');
let db: Knex;
let client: Client;
let svc: FakeService;
let worker: RunningTestWorker;

beforeAll(async () => {
  db = createTestDb();
  client = await createTestClient();
  svc = await startFakeService();
  const handlers = new CodeHandlerRegistry(builtinCodeHandlers).registerAll(
    await loadCodeHandlersModule(require.resolve('./fixtures/user-handlers')),
  );
  const activities = createTaskActivities({
    db,
    egressAllow: testConfig().egressAllow,
    logger: createLogger({ level: 'silent' }),
    handlers,
  });
  worker = await startTestWorker({ taskQueue, workflowsPath: require.resolve('./workflows'), activities });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await svc?.close();
  await db?.destroy();
});

function task(
  type: TaskDefinitionSnapshot['type'],
  config: Record<string, unknown>,
  extra: Partial<TaskDefinitionSnapshot> = {},
): TaskDefinitionSnapshot {
  return { task_id: `t-${type}`, version: '1.0.0', type, config, ...extra };
}

const ctx = (stepId = 'call'): StepContext => ({
  instanceId: randomUUID(),
  workflowId: 'w',
  runId: 'r',
  definitionId: 'd',
  definitionVersion: '1.0.0',
  stepId,
  stepPath: stepId,
});

function run(
  t: TaskDefinitionSnapshot,
  input: unknown,
  opts: RunTaskOptions = {},
  c: StepContext = ctx(),
): Promise<unknown> {
  return client.workflow.execute('runTaskWorkflow', {
    taskQueue,
    workflowId: `rt-${randomUUID()}`,
    args: [{ task: t, input, ctx: c }, opts],
  });
}

/** The ApplicationFailure at the bottom of a failed run. */
async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const activity = (err as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  const app = (activity as ActivityFailure).cause;
  expect(app).toBeInstanceOf(ApplicationFailure);
  return app as ApplicationFailure;
}

describe('http tasks', () => {
  it('renders method, url, headers, query and body from $input and maps the response', async () => {
    svc.route('/orders/42', { status: 201, body: { id: 42, total: 99 } });
    const t = task('http', {
      method: 'POST',
      url: `${svc.url}/orders/{% $input.id %}`,
      headers: { 'x-tenant': '{% $input.tenant %}' },
      query: { dry: '{% $input.dry %}' },
      body: { amount: '{% $input.amount * 2 %}' },
      response: { orderId: '{% $response.body.id %}', status: '{% $response.status %}', echoed: '{% $input.tenant %}' },
    });
    const out = await run(t, { id: 42, tenant: 'acme', amount: 10, dry: true });
    expect(out).toEqual({ orderId: 42, status: 201, echoed: 'acme' });
    const hit = svc.hits.find((h) => h.url.startsWith('/orders/42'))!;
    expect(hit.method).toBe('POST');
    expect(hit.url).toBe('/orders/42?dry=true');
    expect(hit.headers['x-tenant']).toBe('acme');
    expect(JSON.parse(hit.body)).toEqual({ amount: 20 });
  });

  it('retries 503 with backoff and succeeds when the service recovers', async () => {
    svc.route('/flaky', { status: 503 }, { status: 503 }, { status: 200, body: { ok: true } });
    const before = Date.now();
    const out = await run(
      task('http', { url: `${svc.url}/flaky`, response: '{% $response.body %}' }),
      {},
      { maxAttempts: 5, initialIntervalMs: 200 },
    );
    expect(out).toEqual({ ok: true });
    expect(svc.hits.filter((h) => h.url === '/flaky')).toHaveLength(3);
    expect(Date.now() - before).toBeGreaterThanOrEqual(200 + 400); // 200ms then 400ms backoff
  });

  it('fails a 4xx at once as a non-retryable UnexpectedStatus', async () => {
    svc.route('/missing', { status: 404, body: { error: 'nope' } });
    const f = await failure(run(task('http', { url: `${svc.url}/missing` }), {}, { maxAttempts: 5 }));
    expect(f.type).toBe('UnexpectedStatus');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('404');
    expect(svc.hits.filter((h) => h.url === '/missing')).toHaveLength(1);
  });

  it('treats a status outside expected_status as unexpected, and 429 as retryable', async () => {
    svc.route('/ok', { status: 200 });
    const f = await failure(run(task('http', { url: `${svc.url}/ok`, expected_status: [201] }), {}));
    expect(f.type).toBe('UnexpectedStatus');
    svc.route('/busy', { status: 429 });
    const g = await failure(
      run(task('http', { url: `${svc.url}/busy` }), {}, { maxAttempts: 2, initialIntervalMs: 50 }),
    );
    expect(g.type).toBe('UnexpectedStatus');
    expect(g.nonRetryable).toBe(false);
    expect(svc.hits.filter((h) => h.url === '/busy')).toHaveLength(2);
  });
});

describe('transform and code tasks', () => {
  it('transform evaluates JSONata over $input', async () => {
    const t = task('transform', {
      expression: '{% { "total": $sum($input.items.price), "n": $count($input.items) } %}',
    });
    expect(await run(t, { items: [{ price: 2 }, { price: 3 }] })).toEqual({ total: 5, n: 2 });
  });

  it('transform also takes the input as the JSONata context, so bare paths work', async () => {
    const t = task('transform', { expression: '{ "total": $sum(items.(price * quantity)) }' });
    expect(
      await run(t, {
        items: [
          { price: 2, quantity: 3 },
          { price: 1, quantity: 1 },
        ],
      }),
    ).toEqual({ total: 7 });
  });

  it('code runs a built-in handler and a handler from a user module', async () => {
    expect(await run(task('code', { handler: 'sum' }), { values: [1, 2, 3] })).toEqual({ sum: 6 });
    expect(await run(task('code', { handler: 'greet' }), { name: 'Ada' })).toEqual({ greeting: 'hello, Ada' });
    expect(await run(task('code', { handler: 'double' }), { value: 21 })).toEqual({ value: 42 });
  });

  it('an unknown handler is a non-retryable UnknownHandler naming it', async () => {
    const f = await failure(run(task('code', { handler: 'nope' }), {}, { maxAttempts: 5 }));
    expect(f.type).toBe('UnknownHandler');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('"nope"');
  });

  it('an unknown task type is a non-retryable UnknownTaskType', async () => {
    const f = await failure(run(task('quantum' as never, {}), {}, { maxAttempts: 5 }));
    expect(f.type).toBe('UnknownTaskType');
    expect(f.nonRetryable).toBe(true);
  });

  it('an integration task without config.integration is a non-retryable BadTaskConfig (see integration-task.int.test.ts)', async () => {
    const f = await failure(run(task('integration', {}), {}, { maxAttempts: 5 }));
    expect(f.type).toBe('BadTaskConfig');
    expect(f.nonRetryable).toBe(true);
  });

  it('a handler failure keeps its type so catch clauses can match it', async () => {
    const f = await failure(run(task('code', { handler: 'fail' }), { type: 'LedgerRejected' }));
    expect(f.type).toBe('LedgerRejected');
  });
});

describe('schema checks', () => {
  const schemas = {
    input_schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } },
    output_schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'string' } } },
  };

  it('input violating input_schema is a non-retryable SchemaViolation naming the field', async () => {
    const f = await failure(run(task('echo', {}, schemas), { amount: 'ten' }, { maxAttempts: 5 }));
    expect(f.type).toBe('SchemaViolation');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('/input/amount');
  });

  it('output violating output_schema is a non-retryable SchemaViolation', async () => {
    const f = await failure(run(task('echo', {}, schemas), { amount: 10 }, { maxAttempts: 5 }));
    expect(f.type).toBe('SchemaViolation');
    expect(f.message).toContain('/output/amount');
  });
});

describe('task mirror', () => {
  it('keeps one row per step execution across retries, ending completed with the last attempt', async () => {
    const c = await seedInstance(db);
    svc.route('/mirror', { status: 500 }, { status: 200, body: { fine: true } });
    await run(
      task('http', { url: `${svc.url}/mirror`, response: '{% $response.body %}' }),
      { q: 1 },
      { initialIntervalMs: 50 },
      c,
    );
    const rows = await db('task_execution_service.task_instances').where({ workflow_instance_id: c.instanceId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'completed',
      attempt: 2,
      step_id: 'call',
      step_path: 'call',
      input: { q: 1 },
      output: { fine: true },
      error: null,
    });
    expect(rows[0].duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('records a failed attempt with its error type', async () => {
    const c = await seedInstance(db, 'bad');
    await failure(run(task('code', { handler: 'fail' }), { type: 'Boom' }, {}, c));
    const [row] = await db('task_execution_service.task_instances').where({ workflow_instance_id: c.instanceId });
    expect(row).toMatchObject({ status: 'failed', attempt: 1, error: { type: 'Boom', nonRetryable: true } });
  });
});
