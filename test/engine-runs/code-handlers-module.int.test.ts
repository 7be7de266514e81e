/**
 * CODE_HANDLERS_MODULE wiring: an orchestrator worker created from config alone (no handlers passed in)
 * loads the user module and runs its handlers next to the built-ins.
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
let db: Knex;
let client: Client;
let config: Config;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  db = createTestDb();
  client = await createTestClient();
  config = testConfig({ CODE_HANDLERS_MODULE: require.resolve('../engine-tasks/fixtures/user-handlers') });
  connection = await NativeConnection.connect({ address: temporalAddress() });
  worker = await createOrchestratorWorker({ config, db, logger: createLogger({ level: 'silent' }), connection, temporal: client, workflowBundlePath: process.env[TEST_ENV.bundlePath] });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await client?.connection.close();
  await db?.destroy();
});

it('a worker configured with CODE_HANDLERS_MODULE runs a handler of that module in a run', async () => {
  const ids = { greet: id('greet'), sum: id('sum'), flow: id('flow') };
  await activeTask(db, { task_id: ids.greet, type: 'code', config: { handler: 'greet' } });
  await activeTask(db, { task_id: ids.sum, type: 'code', config: { handler: 'sum' } });
  await activeWorkflow(db, {
    workflow_id: ids.flow,
    steps: [
      { id: 'hello', type: 'task', task: ids.greet, input: { name: '{% $input.name %}' } },
      { id: 'total', type: 'task', task: ids.sum, input: { values: [1, 2] } },
    ],
    output: '{% { "greeting": $steps.hello.output.greeting, "sum": $steps.total.output.sum } %}',
  } as never);
  const res = await startRun({ db, temporal: client, config }, { workflowId: ids.flow, input: { name: 'Ada' } });
  expect(await client.workflow.getHandle(res.workflowId).result()).toEqual({ greeting: 'hello, Ada', sum: 3 });
});
