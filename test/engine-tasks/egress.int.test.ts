/**
 * Outbound calls of `http` and `integration` tasks against the real dev server and PostgreSQL: the egress
 * policy (after DNS, and on every redirect), credentials never following a redirect to another origin,
 * echoed credentials scrubbed from outputs, failures, task_instances and history, and connection failures
 * that do not tell an open port from a closed one. Every far end is a local server on 127.0.0.1; the worker's
 * allow-list names exactly the ports of the servers it may reach.
 */
import { ActivityFailure, ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTaskActivities } from '../../activities/tasks';
import { createCredentialsCipher } from '../../common/credentials-cipher';
import type { StepContext, TaskDefinitionSnapshot } from '../../common/definitions/types';
import { freePort } from '../../devstack/free-port';
import { captureLogger, TEST_SECRETS } from '../helpers/api';
import { createTestDb } from '../helpers/db';
import { createTestClient, startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { startFakeService, type FakeService } from './fixtures/http-server';
import { seedIntegration } from './fixtures/integrations';
import { seedInstance } from './fixtures/rows';
import type { RunTaskOptions } from './workflows';

jest.setTimeout(60_000);
const taskQueue = uniqueTaskQueue('egress');
const cipher = createCredentialsCipher(TEST_SECRETS.CREDENTIALS_ENCRYPTION_KEY);
const API_KEY = 'sk-live-EGRESS-key-31337';
const PASSWORD = 'pw-EGRESS-hunter2';
const captured = captureLogger('trace');
let db: Knex;
let client: Client;
let worker: RunningTestWorker;
/** a: the service (allowed); b: another origin (allowed); c: a local server the allow-list does not name. */
let a: FakeService, b: FakeService, c: FakeService;
let closedPort: number;
let resetter: Server;
let resetPort: number;

const portOf = (svc: FakeService) => Number(new URL(svc.url).port);

beforeAll(async () => {
  db = createTestDb();
  client = await createTestClient();
  [a, b, c] = await Promise.all([startFakeService(), startFakeService(), startFakeService()]);
  closedPort = await freePort();
  // Accepts and hangs up at once: "open" where closedPort is "closed".
  resetter = createServer((s) => s.destroy());
  await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
  resetPort = (resetter.address() as AddressInfo).port;
  const egressAllow = [a, b]
    .map((s) => `127.0.0.1:${portOf(s)}`)
    .concat(`127.0.0.1:${closedPort}`, `127.0.0.1:${resetPort}`);
  const activities = createTaskActivities({
    db,
    logger: captured.logger,
    egressAllow,
    credentialsEncryptionKey: TEST_SECRETS.CREDENTIALS_ENCRYPTION_KEY,
    runningWriteDelayMs: 0,
  });
  worker = await startTestWorker({ taskQueue, workflowsPath: require.resolve('./workflows'), activities });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await Promise.all([a, b, c].map((s) => s?.close()));
  await new Promise((r) => resetter?.close(r));
  await db?.destroy();
});

async function run(
  task: TaskDefinitionSnapshot,
  input: unknown,
  opts: RunTaskOptions = {},
): Promise<{ result: Promise<unknown>; ctx: StepContext; workflowId: string }> {
  const ctx = await seedInstance(db);
  const workflowId = `eg-${randomUUID()}`;
  const result = client.workflow.execute('runTaskWorkflow', {
    taskQueue,
    workflowId,
    args: [
      { task, input, ctx },
      { maxAttempts: 1, ...opts },
    ],
  });
  return { result, ctx, workflowId };
}

const httpTask = (config: Record<string, unknown>): TaskDefinitionSnapshot => ({
  task_id: 't-http',
  version: '1.0.0',
  type: 'http',
  config,
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const app = ((err as WorkflowFailedError).cause as ActivityFailure).cause;
  expect(app).toBeInstanceOf(ApplicationFailure);
  return app as ApplicationFailure;
}

describe('the egress policy', () => {
  it('refuses loopback and metadata URLs from the run input, after DNS too, as a non-retryable EgressDenied, without connecting', async () => {
    const port = portOf(c);
    const t = httpTask({ url: '{% $input.url %}' });
    for (const url of [
      `${c.url}/x`,
      `http://localhost:${port}/x`,
      `http://[::ffff:127.0.0.1]:${port}/x`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
    ]) {
      const f = await failure((await run(t, { url }, { maxAttempts: 3 })).result);
      expect(f).toMatchObject({ type: 'EgressDenied', nonRetryable: true });
      expect(f.message).toContain('egress policy');
      expect(f.message).not.toMatch(/ECONN|EHOST|ENET|ENOTFOUND/);
    }
    expect(c.hits).toHaveLength(0);
  });

  it('lets the allow-listed service through', async () => {
    a.route('/ok', { status: 200, body: { ok: true } });
    expect(await (await run(httpTask({ url: `${a.url}/ok`, response: '{% $response.body %}' }), {})).result).toEqual({
      ok: true,
    });
  });

  it('checks every redirect target: a 302 from an allowed service to a refused one is EgressDenied, and the target never hears of it', async () => {
    a.route('/to-c', { status: 302, headers: { location: `${c.url}/landing` } });
    a.route('/to-metadata', { status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/iam/' } });
    for (const path of ['/to-c', '/to-metadata']) {
      expect(await failure((await run(httpTask({ url: `${a.url}${path}` }), {})).result)).toMatchObject({
        type: 'EgressDenied',
        nonRetryable: true,
      });
    }
    expect(c.hits).toHaveLength(0);
  });

  it('answers a closed port and a connection hung up alike, naming neither', async () => {
    const closed = await failure((await run(httpTask({ url: `http://127.0.0.1:${closedPort}/` }), {})).result);
    const reset = await failure((await run(httpTask({ url: `http://127.0.0.1:${resetPort}/` }), {})).result);
    expect(closed.type).toBe('HttpNetworkError');
    expect(reset.type).toBe('HttpNetworkError');
    expect(closed.message.replace(String(closedPort), 'PORT')).toBe(reset.message.replace(String(resetPort), 'PORT'));
    expect(closed.message).not.toMatch(/ECONN|refused|reset|hang up/i);
  });
});

describe('credentials and redirects', () => {
  const op = (path: string) => ({ name: 'op', method: 'GET', path, response: '{% $response.body %}' });
  const integration = (authType: 'api_key' | 'basic', path: string) =>
    seedIntegration(db, cipher, {
      authType,
      operations: [op(path)],
      config: { base_url: a.url },
      credentials: authType === 'api_key' ? { api_key: API_KEY } : { username: 'ada', password: PASSWORD },
    });
  const runOp = async (instanceId: string) =>
    run(
      { task_id: 't-int', version: '1.0.0', type: 'integration', config: { integration: instanceId, operation: 'op' } },
      {},
    );

  it('an API key follows a redirect within its origin, never to another origin', async () => {
    a.route('/away', { status: 302, headers: { location: `${b.url}/landing` } });
    a.route('/here', { status: 302, headers: { location: '/landing' } });
    a.route('/landing', { status: 200, body: { at: 'a' } });
    b.route('/landing', { status: 200, body: { at: 'b' } });
    for (const authType of ['api_key', 'basic'] as const) {
      const away = await integration(authType, '/away');
      expect(await (await runOp(away.instanceId)).result).toEqual({ at: 'b' });
      const landed = b.hits.at(-1)!;
      expect(landed.url).toBe('/landing');
      expect(landed.headers['x-api-key']).toBeUndefined();
      expect(landed.headers.authorization).toBeUndefined();
      expect(JSON.stringify(b.hits)).not.toContain(API_KEY);
    }
    const here = await integration('api_key', '/here');
    expect(await (await runOp(here.instanceId)).result).toEqual({ at: 'a' });
    expect(a.hits.at(-1)!.headers['x-api-key']).toBe(API_KEY);
  });
});

describe('echoed credentials', () => {
  const integration = (authType: 'api_key' | 'basic', path: string, response?: string) =>
    seedIntegration(db, cipher, {
      authType,
      operations: [{ name: 'op', method: 'GET', path, ...(response && { response }) }],
      config: { base_url: a.url },
      credentials: authType === 'api_key' ? { api_key: API_KEY } : { username: 'ada', password: PASSWORD },
    });
  const runOp = async (instanceId: string) =>
    run(
      { task_id: 't-int', version: '1.0.0', type: 'integration', config: { integration: instanceId, operation: 'op' } },
      {},
    );
  const basic = Buffer.from(`ada:${PASSWORD}`).toString('base64');

  it('are scrubbed from the output: neither task_instances (what the API serves) nor Temporal history holds them', async () => {
    a.route('/echo', { status: 200, echo: true });
    a.route('/echo-key', { status: 200, echo: true, headers: { 'x-echo-key': API_KEY } });
    const cases = [
      {
        authType: 'api_key' as const,
        path: '/echo-key',
        header: 'x-api-key',
        secrets: [API_KEY, Buffer.from(API_KEY).toString('base64')],
      },
      { authType: 'basic' as const, path: '/echo', header: 'authorization', secrets: [PASSWORD, basic] },
    ];
    for (const { authType, path, header, secrets } of cases) {
      const { instanceId } = await integration(authType, path);
      const { result, ctx, workflowId } = await runOp(instanceId);
      const out = (await result) as {
        status: number;
        headers: Record<string, string>;
        body: { headers: Record<string, string> };
      };
      expect(out.status).toBe(200);
      expect(out.body.headers[header]).toBe('[redacted]');
      const row = await db('task_execution_service.task_instances')
        .where({ workflow_instance_id: ctx.instanceId })
        .first('output', 'status');
      expect(row.status).toBe('completed');
      // Payload data is base64 in the history's JSON: read it as text.
      const history = JSON.stringify(await client.workflow.getHandle(workflowId).fetchHistory(), (k, v) =>
        k === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v,
      );
      expect(history).toContain('[redacted]');
      for (const stored of [JSON.stringify(out), JSON.stringify(row.output), history]) {
        for (const secret of secrets) expect(stored).not.toContain(secret);
      }
    }
  });

  it("are scrubbed from failures: message, details, task_instances.error and the instance's last_error", async () => {
    a.route('/echo-500', { status: 400, echo: true });
    const { instanceId, rowId } = await integration('api_key', '/echo-500');
    const { result, ctx } = await runOp(instanceId);
    const f = await failure(result);
    expect(f.type).toBe('UnexpectedStatus');
    expect(JSON.stringify(f.details)).toContain('[redacted]');
    expect(JSON.stringify(f.details)).not.toContain(API_KEY);
    const row = await db('task_execution_service.task_instances')
      .where({ workflow_instance_id: ctx.instanceId })
      .first('error');
    const inst = await db('integration_service.integration_instances').where({ id: rowId }).first('last_error');
    expect(JSON.stringify([row.error, inst.last_error])).not.toContain(API_KEY);
    for (const line of captured.lines) expect(line).not.toContain(API_KEY);
  });
});
