/**
 * Logs of a run land in observability_logs: a step that fails and is retried by the workflow, with the worker's
 * logger feeding the log sink and the Temporal runtime's logger (workflow `log`) routed to it. The worker caches no
 * workflow, so every workflow task replays the run's history: the replay-aware workflow logger must still write
 * each line once. The REST endpoints over observability_logs answer the lines by run and by Temporal workflow id.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Config } from '../../common/config';
import { createLogger } from '../../common/logger';
import { installTemporalRuntime } from '../../common/temporal-logging';
import { createLogSink, type LogSink } from '../../services/observability/log-sink';
import { startRun, type StartRunResult } from '../../services/runs';
import { createOrchestratorWorker } from '../../workers/orchestrator';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { createTestDb } from '../helpers/db';
import { createTestClient, temporalAddress } from '../helpers/temporal';
import { TEST_ENV } from '../harness-state';
import { activeTask, activeWorkflow, eventually, testConfig } from '../engine-runs/harness';

jest.setTimeout(60_000);
const sfx = randomBytes(3).toString('hex');
let sink: LogSink;
let db: Knex;
let client: Client;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let api: TestApi;
let admin: TestCaller;
let config: Config;

beforeAll(async () => {
  sink = createLogSink({ level: 'info', intervalMs: 50 });
  const logger = createLogger({ level: 'silent', name: 'aos-test', sinks: [sink.destination] });
  // Before the first NativeConnection: workflow and activity `log` calls go to this logger.
  installTemporalRuntime(logger);
  db = createTestDb();
  sink.start(db);
  client = await createTestClient();
  connection = await NativeConnection.connect({ address: temporalAddress() });
  config = testConfig();
  worker = await createOrchestratorWorker({
    config,
    db,
    logger,
    connection,
    temporal: client,
    workflowBundlePath: process.env[TEST_ENV.bundlePath],
    workerOptions: { maxCachedWorkflows: 0 },
  });
  running = worker.run();
  api = await createTestApi({ logger, config: { TASK_QUEUE: config.taskQueue } });
  admin = await createTestCaller(api.deps, ['*'], 'obs-admin');
  await activeTask(db, { task_id: `obs-fail-${sfx}`, type: 'code', config: { handler: 'fail' } });
  await activeWorkflow(db, {
    workflow_id: `obs-flow-${sfx}`,
    steps: [
      {
        id: 'flaky',
        type: 'task',
        task: `obs-fail-${sfx}`,
        input: { retryable: true, type: 'Flaky', message: 'still broken' },
        retry: { max_attempts: 2, initial_interval: '10ms', backoff_coefficient: 1 },
        catch: [{ errors: ['Flaky'], next: 'pause' }],
      },
      { id: 'unreached', type: 'succeed' },
      // A timer: the workflow tasks after it replay the caught failure (no workflow is cached).
      { id: 'pause', type: 'delay', duration: '50ms' },
      {
        id: 'final',
        type: 'task',
        task: `obs-fail-${sfx}`,
        input: { retryable: true, type: 'Flaky', message: 'still broken' },
        retry: { max_attempts: 2, initial_interval: '10ms', backoff_coefficient: 1 },
      },
    ],
  } as never);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await client?.connection.close();
  await api?.close();
  await sink?.close(2000);
  await db?.destroy();
});

type LogRow = { message: string; level: string; temporal_workflow_id: string | null; step_id: string | null };

it("a failing run's log lines land once each, found by run id and by workflow id, also through the API", async () => {
  const run = (await startRun(
    { db, temporal: client, config },
    {
      workflowId: `obs-flow-${sfx}`,
      input: {},
    },
  )) as StartRunResult;
  await expect(client.workflow.getHandle(run.workflowId).result()).rejects.toThrow();

  const logs = db('observability_service.observability_logs');
  const rows = await eventually(async () => {
    const r = (await logs.clone().where({ workflow_instance_id: run.instanceId }).orderBy('timestamp')) as LogRow[];
    return r.some((l) => l.message === 'Workflow failed') &&
      r.filter((l) => l.message === 'task attempt failed').length >= 4
      ? r
      : undefined;
  });
  // Workflow lines (replayed by every later workflow task here) are written once: the caught failure, the end.
  expect(rows.filter((l) => l.message === 'step failed, caught')).toHaveLength(1);
  expect(rows.filter((l) => l.message === 'run failed')).toHaveLength(1);
  expect(rows.filter((l) => l.message === 'Workflow failed')).toHaveLength(1); // the SDK's own, also replay-aware
  // ...although the caught failure's workflow task was replayed by each of the later ones.
  const history = await client.workflow.getHandle(run.workflowId).fetchHistory();
  const workflowTasks = history.events?.filter((e) => e.workflowTaskCompletedEventAttributes).length ?? 0;
  expect(workflowTasks).toBeGreaterThanOrEqual(3);
  // Activity lines: one per attempt, with the step id.
  const attempts = rows.filter((l) => l.message === 'task attempt failed');
  expect(attempts.map((l) => `${l.level} ${l.step_id}`)).toEqual([
    'warn flaky',
    'warn flaky',
    'warn final',
    'warn final',
  ]);
  expect(rows.every((l) => l.temporal_workflow_id === run.workflowId)).toBe(true);

  const get = (query: string) =>
    request(api.app).get(`/api/v1/observability/logs?${query}&limit=100`).set(admin.bearer);
  const byRun = await get(`workflow_instance_id=${run.instanceId}`);
  expect(byRun.status).toBe(200);
  expect(byRun.body.items.map((l: LogRow) => l.message).sort()).toEqual(rows.map((l) => l.message).sort());
  const warnings = await get(`workflow_id=${encodeURIComponent(run.workflowId)}&level=warn`);
  const warned = warnings.body.items.map((l: LogRow) => l.message);
  expect(warned.filter((m: string) => m === 'task attempt failed')).toHaveLength(4);
  expect(warnings.body.items.every((l: LogRow) => l.level === 'warn')).toBe(true);

  // The API's own lines carry their request id.
  const requestId = byRun.headers['x-request-id'] as string;
  const access = await eventually(() => logs.clone().where({ request_id: requestId }).first());
  expect(access).toMatchObject({ message: 'request', service: 'aos-test' });
  expect(sink.stats().dropped).toEqual({ queue_full: 0, write_failed: 0, write_timeout: 0, closed: 0 });
});
