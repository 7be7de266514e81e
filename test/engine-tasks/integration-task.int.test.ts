/**
 * `integration` tasks against the real dev server and PostgreSQL, calling a local HTTP server: each auth_type
 * puts its header on the request, path/body templates see $input and $config, failures are typed, and the
 * secrets reach neither task_instances nor a log line.
 */
import { ActivityFailure, ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { createTaskActivities } from '../../activities/tasks';
import { createCredentialsCipher } from '../../common/credentials-cipher';
import type { StepContext, TaskDefinitionSnapshot } from '../../common/definitions/types';
import { captureLogger, TEST_SECRETS, testConfig } from '../helpers/api';
import { createTestDb } from '../helpers/db';
import { createTestClient, startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { startFakeService, type FakeService } from './fixtures/http-server';
import { seedIntegration, type SeedIntegration } from './fixtures/integrations';
import { seedInstance } from './fixtures/rows';

jest.setTimeout(60_000);
const taskQueue = uniqueTaskQueue('integration-task');
const cipher = createCredentialsCipher(TEST_SECRETS.CREDENTIALS_ENCRYPTION_KEY);
const SECRETS = { api_key: 'sk-live-API-KEY-4242', password: 'pw-HUNTER2-secret', access_token: 'tok-OAUTH-abc123xyz' };
const captured = captureLogger('trace');
let db: Knex;
let client: Client;
let svc: FakeService;
let worker: RunningTestWorker;

beforeAll(async () => {
  db = createTestDb();
  client = await createTestClient();
  svc = await startFakeService();
  const activities = createTaskActivities({
    db,
    egressAllow: testConfig().egressAllow,
    logger: captured.logger,
    credentialsEncryptionKey: TEST_SECRETS.CREDENTIALS_ENCRYPTION_KEY,
    runningWriteDelayMs: 0,
  });
  worker = await startTestWorker({ taskQueue, workflowsPath: require.resolve('./workflows'), activities });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
  await svc?.close();
  await db?.destroy();
});

const getItem = {
  name: 'get_item',
  method: 'POST',
  path: '/items/{% $input.id %}',
  query: { region: '{% $config.region %}' },
  body: { id: '{% $input.id %}', region: '{% $config.region %}' },
  response: '{% $response.body %}',
};

async function seed(
  s: Partial<SeedIntegration> & Pick<SeedIntegration, 'authType'>,
): Promise<{ instanceId: string; rowId: string }> {
  return seedIntegration(db, cipher, {
    operations: [getItem],
    config: { base_url: `${svc.url}/api/`, region: 'eu' },
    ...s,
  });
}

async function run(instanceId: string, input: unknown, extra: Record<string, unknown> = {}): Promise<unknown> {
  const task: TaskDefinitionSnapshot = {
    task_id: 't-integration',
    version: '1.0.0',
    type: 'integration',
    config: { integration: instanceId, operation: 'get_item', ...extra },
  };
  const ctx: StepContext = await seedInstance(db);
  return client.workflow.execute('runTaskWorkflow', {
    taskQueue,
    workflowId: `it-${randomUUID()}`,
    args: [
      { task, input, ctx },
      { maxAttempts: 3, initialIntervalMs: 50 },
    ],
  });
}

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

function lastHit(id: number) {
  return svc.hits.filter((h) => h.url.startsWith(`/api/items/${id}`)).at(-1)!;
}

describe('integration tasks: auth per auth_type', () => {
  beforeAll(() => svc.route('/api/items/1', { status: 200, body: { id: 1, name: 'widget' } }));

  it('api_key sends X-API-Key by default and renders path, query and body over $input and $config', async () => {
    const { instanceId, rowId } = await seed({ authType: 'api_key', credentials: { api_key: SECRETS.api_key } });
    expect(await run(instanceId, { id: 1 })).toEqual({ id: 1, name: 'widget' });
    const hit = lastHit(1);
    expect(hit.method).toBe('POST');
    expect(hit.url).toBe('/api/items/1?region=eu');
    expect(hit.headers['x-api-key']).toBe(SECRETS.api_key);
    expect(JSON.parse(hit.body)).toEqual({ id: 1, region: 'eu' });
    const row = await db('integration_service.integration_instances').where({ id: rowId }).first();
    expect(row.last_used_at).not.toBeNull();
    expect(row.last_error).toBeNull();
  });

  it('api_key takes its header name from the definition (config_schema default) or the instance config', async () => {
    const configSchema = { type: 'object', properties: { api_key_header: { type: 'string', default: 'X-Def-Key' } } };
    const byDefinition = await seed({ authType: 'api_key', credentials: { api_key: SECRETS.api_key }, configSchema });
    await run(byDefinition.instanceId, { id: 1 });
    expect(lastHit(1).headers['x-def-key']).toBe(SECRETS.api_key);
    const byInstance = await seed({
      authType: 'api_key',
      credentials: { api_key: SECRETS.api_key },
      configSchema,
      config: { base_url: `${svc.url}/api`, region: 'us', api_key_header: 'X-Inst-Key' },
    });
    await run(byInstance.instanceId, { id: 1 });
    expect(lastHit(1).headers['x-inst-key']).toBe(SECRETS.api_key);
    expect(lastHit(1).url).toBe('/api/items/1?region=us');
  });

  it('basic sends username:password; config.input maps the task input first', async () => {
    const { instanceId } = await seed({
      authType: 'basic',
      credentials: { username: 'ada', password: SECRETS.password },
    });
    await run(instanceId, { order: { item: 1 } }, { input: { id: '{% $input.order.item %}' } });
    expect(lastHit(1).headers.authorization).toBe(`Basic ${Buffer.from(`ada:${SECRETS.password}`).toString('base64')}`);
  });

  it('oauth2 sends the access token as a bearer token', async () => {
    const { instanceId } = await seed({
      authType: 'oauth2',
      credentials: { access_token: SECRETS.access_token },
      credentialsExpiresAt: new Date(Date.now() + 3_600_000),
    });
    await run(instanceId, { id: 1 });
    expect(lastHit(1).headers.authorization).toBe(`Bearer ${SECRETS.access_token}`);
  });

  it('an expired oauth2 token is a non-retryable CredentialsExpired, without calling the service', async () => {
    const { instanceId, rowId } = await seed({
      authType: 'oauth2',
      credentials: { access_token: SECRETS.access_token },
      credentialsExpiresAt: new Date(Date.now() - 1000),
    });
    const before = svc.hits.length;
    const f = await failure(run(instanceId, { id: 1 }));
    expect(f.type).toBe('CredentialsExpired');
    expect(f.nonRetryable).toBe(true);
    expect(svc.hits.length).toBe(before);
    const row = await db('integration_service.integration_instances').where({ id: rowId }).first();
    expect(row.last_error).toMatchObject({ type: 'CredentialsExpired' });
  });
});

describe('integration tasks: failures', () => {
  it('an operation answering 404 fails as a non-retryable UnexpectedStatus and records last_error', async () => {
    const { instanceId, rowId } = await seed({ authType: 'api_key', credentials: { api_key: SECRETS.api_key } });
    const f = await failure(run(instanceId, { id: 404 }));
    expect(f.type).toBe('UnexpectedStatus');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('404');
    expect(svc.hits.filter((h) => h.url.startsWith('/api/items/404'))).toHaveLength(1);
    const row = await db('integration_service.integration_instances').where({ id: rowId }).first();
    expect(row.last_error).toMatchObject({ type: 'UnexpectedStatus' });
  });

  it('a 503 is retried through the http executor', async () => {
    svc.route('/api/items/7', { status: 503 }, { status: 200, body: { ok: true } });
    const { instanceId } = await seed({ authType: 'none' });
    expect(await run(instanceId, { id: 7 })).toEqual({ ok: true });
    expect(svc.hits.filter((h) => h.url.startsWith('/api/items/7'))).toHaveLength(2);
  });

  it('an unknown instance or operation is NotFound, a disabled instance BadTaskConfig, all non-retryable', async () => {
    const unknown = await failure(run('no-such-instance', { id: 1 }));
    expect(unknown).toMatchObject({ type: 'NotFound', nonRetryable: true });
    expect(unknown.message).toContain('"no-such-instance"');
    const { instanceId } = await seed({ authType: 'none' });
    const op = await failure(run(instanceId, { id: 1 }, { operation: 'delete_everything' }));
    expect(op).toMatchObject({ type: 'NotFound', nonRetryable: true });
    expect(op.message).toContain('"delete_everything"');
    const disabled = await seed({ authType: 'none', status: 'disabled' });
    expect(await failure(run(disabled.instanceId, { id: 1 }))).toMatchObject({
      type: 'BadTaskConfig',
      nonRetryable: true,
    });
    expect(await failure(run(instanceId, { id: 1 }, { operation: '' }))).toMatchObject({
      type: 'BadTaskConfig',
      nonRetryable: true,
    });
  });
});

describe('integration tasks: secrecy', () => {
  it('no secret appears in any task_instances row or captured log line', async () => {
    const values = Object.values(SECRETS);
    const rows = await db('task_execution_service.task_instances').select('input', 'output', 'error');
    expect(rows.length).toBeGreaterThan(5);
    const dump = JSON.stringify(rows);
    expect(captured.lines.length).toBeGreaterThan(0);
    const logs = captured.lines.join('\n');
    for (const secret of [...values, Buffer.from(`ada:${SECRETS.password}`).toString('base64')]) {
      expect(dump).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
