/**
 * Step-level activity timeouts (`timeouts: { start_to_close, schedule_to_close, heartbeat }` on a task step)
 * on the real stack: they reach the scheduled activity, and a task that stops heartbeating fails the step with
 * `Timeout`, which the step's catch handles.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../common/config';
import { createLogger } from '../../common/logger';
import { startRun } from '../../services/runs';
import { createOrchestratorWorker } from '../../workers/orchestrator';
import { createTestDb } from '../helpers/db';
import { createTestClient, temporalAddress } from '../helpers/temporal';
import { TEST_ENV } from '../harness-state';
import { activeTask, activeWorkflow, testConfig } from './harness';

jest.setTimeout(60_000);
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const ids = { stall: id('stall'), echo: id('echo'), flow: id('flow') };
let db: Knex;
let client: Client;
let config: Config;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  db = createTestDb();
  client = await createTestClient();
  config = testConfig({ CODE_HANDLERS_MODULE: require.resolve('./fixtures/stall-handlers') });
  connection = await NativeConnection.connect({ address: temporalAddress() });
  worker = await createOrchestratorWorker({ config, db, logger: createLogger({ level: 'silent' }), connection, temporal: client, workflowBundlePath: process.env[TEST_ENV.bundlePath] });
  running = worker.run();
  // The task definition allows a long silence; the step narrows it.
  await activeTask(db, { task_id: ids.stall, type: 'code', config: { handler: 'stall' }, timeouts: { heartbeat: '30s', start_to_close: '1m' } });
  await activeTask(db, { task_id: ids.echo, type: 'echo' });
  await activeWorkflow(db, {
    workflow_id: ids.flow,
    steps: [
      { id: 'stuck', type: 'task', task: ids.stall, timeout: '45s', timeouts: { heartbeat: '1s', schedule_to_close: '40s' }, retry: { max_attempts: 1 },
        catch: [{ errors: ['Timeout'], next: 'recover', into: 'err' }] },
      { id: 'unreached', type: 'succeed' },
      { id: 'recover', type: 'task', task: ids.echo, input: { recovered: true } },
    ],
    output: '{% { "err": $vars.err, "recovered": $steps.recover.output.recovered } %}',
  } as never);
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await client?.connection.close();
  await db?.destroy();
});

it('a task that stops heartbeating fails its step with Timeout within the step heartbeat timeout, and the catch runs', async () => {
  const started = Date.now();
  const res = await startRun({ db, temporal: client, config }, { workflowId: ids.flow, input: {} });
  const handle = client.workflow.getHandle(res.workflowId);
  const output = (await handle.result()) as { err: { type: string; message: string }; recovered: boolean };
  expect(output.recovered).toBe(true);
  expect(output.err.type).toBe('Timeout');
  expect(output.err.message).toMatch(/heartbeat/i);
  expect(Date.now() - started).toBeLessThan(15_000); // the task's own 30s heartbeat timeout did not apply

  const history = await handle.fetchHistory();
  const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes).find((a) => a?.activityType?.name === 'runTask');
  const seconds = (d: { seconds?: unknown } | null | undefined) => Number(d?.seconds ?? 0);
  expect(seconds(scheduled?.heartbeatTimeout)).toBe(1);
  expect(seconds(scheduled?.scheduleToCloseTimeout)).toBe(40);
  expect(seconds(scheduled?.startToCloseTimeout)).toBe(40); // the server caps start-to-close at schedule-to-close
});
