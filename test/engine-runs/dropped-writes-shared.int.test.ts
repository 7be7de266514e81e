/**
 * The record of dropped task writes is durable and shared: a worker that dropped task mirror writes while its
 * database was unreachable records the run in dropped_task_writes once the database is back, and another worker's
 * reconciler (another process, with an empty buffer of its own) rebuilds the run's task rows and deletes the record.
 */
import { randomBytes } from 'node:crypto';
import { createActivities } from '../../activities';
import { builtinCodeHandlers, CodeHandlerRegistry, createTaskActivities } from '../../activities/tasks';
import { createLogger } from '../../common/logger';
import { createDb } from '../../db/connection';
import { DROPPED_TASK_WRITES } from '../../db/repositories/dropped-task-writes';
import { DroppedTaskWrites } from '../../services/mirror/dropped-writes';
import { reconcile } from '../../services/mirror/reconcile/reconcile';
import { startRun } from '../../services/runs';
import { TEST_ENV } from '../harness-state';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

const TI = 'task_execution_service.task_instances';
const WI = 'workflow_orchestrator_service.workflow_instances';
const sfx = randomBytes(3).toString('hex');
const ids = { echo: `dw-echo-${sfx}`, flow: `dw-flow-${sfx}` };
const logger = createLogger({ level: 'silent' });
jest.setTimeout(90_000);

let h: RunHarness;
let proxy: TcpProxy;
let proxiedDb: ReturnType<typeof createDb>;
let worker: RunningTestWorker | undefined;

beforeAll(async () => {
  h = await startRunHarness({ worker: false });
  const url = new URL(process.env[TEST_ENV.databaseUrl]!);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  proxiedDb = createDb({ url: url.toString(), poolMax: 2 });
  await activeTask(h.db, { task_id: ids.echo, type: 'echo' });
  await activeWorkflow(h.db, { workflow_id: ids.flow, steps: [{ id: 'only', type: 'task', task: ids.echo }] });
});

afterAll(async () => {
  await worker?.stop();
  await proxiedDb?.destroy();
  await proxy?.stop();
  await h?.close();
});

it('a run whose task writes worker 1 dropped is recorded when the database is back, and worker 2 repairs it', async () => {
  // Worker 1: its task mirror reaches the database through the proxy, and keeps its own buffer of drops.
  const buffer1 = new DroppedTaskWrites([100]);
  const taskQueue = uniqueTaskQueue('dropped');
  const handlers = new CodeHandlerRegistry(builtinCodeHandlers);
  worker = await startTestWorker({
    taskQueue,
    activities: {
      ...createActivities({ db: h.db, logger, handlers, temporal: h.client, config: h.config }),
      ...createTaskActivities({
        db: h.db,
        mirrorDb: proxiedDb,
        mirrorDrops: buffer1,
        mirrorBackoffMs: [10],
        runningWriteDelayMs: 0,
        logger,
        handlers,
      }),
    },
  });

  await proxy.stop(); // worker 1's database goes away
  const run = await startRun(
    { ...h.deps, config: { ...h.config, taskQueue } },
    { workflowId: ids.flow, input: { n: 7 } },
  );
  await h.client.workflow.getHandle(run.workflowId).result();
  await eventually(async () => buffer1.list(10).some((r) => r.runId === run.runId));
  expect(await h.db(DROPPED_TASK_WRITES).where({ run_id: run.runId })).toEqual([]); // nowhere to write it yet

  await proxy.start(); // the database is back: the buffer is flushed in the background, no reconcile needed
  const [recorded] = await eventually(async () => {
    const rows = await h.db(DROPPED_TASK_WRITES).where({ run_id: run.runId });
    return rows.length > 0 && rows;
  });
  expect(recorded).toMatchObject({ workflow_id: run.workflowId, workflow_instance_id: run.instanceId });
  expect(buffer1.list(10)).toEqual([]);

  // Worker 1 dies; worker 2's reconciler has nothing in its own buffer and no row of the run to start from.
  await worker.stop();
  worker = undefined;
  await eventually(async () => (await h.db(WI).where({ id: run.instanceId }).first())?.status === 'completed');
  expect(await h.db(TI).where({ workflow_instance_id: run.instanceId })).toEqual([]);
  await reconcile({ db: h.db, temporal: h.client, logger, drops: new DroppedTaskWrites() }, { settleMs: 0 });

  const rows = await h.db(TI).where({ workflow_instance_id: run.instanceId });
  expect(rows.map((r) => [r.step_id, r.status, r.output])).toEqual([['only', 'completed', { n: 7 }]]);
  expect(await h.db(DROPPED_TASK_WRITES).where({ run_id: run.runId })).toEqual([]); // repaired: forgotten
});

it('the same run dropped by two workers is one record', async () => {
  const run = { runId: `run-${sfx}`, workflowId: `wf-${sfx}`, instanceId: '00000000-0000-4000-8000-000000000001' };
  const [one, two] = [new DroppedTaskWrites(), new DroppedTaskWrites()];
  one.add(run);
  two.add(run);
  expect(await one.flush(h.db)).toBe(1);
  expect(await two.flush(h.db)).toBe(1);
  expect(await h.db(DROPPED_TASK_WRITES).where({ run_id: run.runId })).toHaveLength(1);
  expect([one.list(10), two.list(10)]).toEqual([[], []]);
  await h.db(DROPPED_TASK_WRITES).where({ run_id: run.runId }).delete();
});
