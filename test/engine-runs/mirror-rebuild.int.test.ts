/**
 * The reconciler rebuilds task rows from Temporal's history when the task mirror lost its writes: a task
 * that ran while the mirror's database was unreachable, a row left "running" by a dropped end write, and a
 * row whose writes were all dropped. Exactly one row per activity, with the same key runTask uses.
 */
import knex, { type Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { createActivities } from '../../activities';
import { reconcile } from '../../services/mirror/reconcile/reconcile';
import { builtinCodeHandlers, CodeHandlerRegistry, createTaskActivities } from '../../activities/tasks';
import { createLogger } from '../../common/logger';
import { startRun } from '../../services/runs';
import { startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

const TI = 'task_execution_service.task_instances';
const WI = 'workflow_orchestrator_service.workflow_instances';
const sfx = randomBytes(3).toString('hex');
const ids = { echo: `rb-echo-${sfx}`, flaky: `rb-flaky-${sfx}`, flow: `rb-flow-${sfx}` };
const logger = createLogger({ level: 'silent' });
// Nothing listens on port 1: every task mirror write of the outage worker fails like a database outage.
const deadDb = knex({
  client: 'pg',
  connection: 'postgres://x:y@127.0.0.1:1/none',
  pool: { min: 0, max: 1 },
  acquireConnectionTimeout: 1_000,
});
// Fails its first attempt, so the rebuilt row must carry attempt 2.
const flaky = (input: unknown, { attempt }: { attempt: number }) => {
  if (attempt < 2) throw new Error('first attempt fails');
  return { doubled: (input as { n: number }).n * 2 };
};
jest.setTimeout(90_000);
let h: RunHarness;
type TestWorker = RunningTestWorker & { taskQueue: string };
let outage: TestWorker;
let healthy: TestWorker;

/** A worker with the flaky handler; `mirrorDb` replaces the task mirror's database only. */
async function startWorker(mirrorDb?: Knex): Promise<TestWorker> {
  const handlers = new CodeHandlerRegistry({ ...builtinCodeHandlers, flaky });
  const taskQueue = uniqueTaskQueue('rebuild');
  const activities = {
    ...createActivities({ db: h.db, logger, handlers, temporal: h.client, config: h.config }),
    ...createTaskActivities({ db: h.db, mirrorDb, mirrorBackoffMs: [10], runningWriteDelayMs: 0, logger, handlers }),
  };
  return { ...(await startTestWorker({ taskQueue, activities })), taskQueue };
}

beforeAll(async () => {
  h = await startRunHarness({ worker: false });
  await activeTask(h.db, { task_id: ids.echo, type: 'echo' });
  await activeTask(h.db, {
    task_id: ids.flaky,
    type: 'code',
    config: { handler: 'flaky' },
    retry_policy: { max_attempts: 3, initial_interval: '100ms' },
  });
  await activeWorkflow(h.db, {
    workflow_id: ids.flow,
    steps: [
      { id: 'first', type: 'task', task: ids.echo },
      { id: 'second', type: 'task', task: ids.flaky, input: '{% $steps.first.output %}' },
    ],
  });
  [outage, healthy] = await Promise.all([startWorker(deadDb), startWorker()]);
});

afterAll(async () => {
  await Promise.all([outage, healthy].map((w) => w?.stop()));
  await deadDb.destroy();
  await h?.close();
});

const rowsOf = (instanceId: string) => h.db(TI).where({ workflow_instance_id: instanceId }).orderBy('created_at');
const pass = () => reconcile({ db: h.db, temporal: h.client, logger }, { settleMs: 0 });
const runCompleted = async (queue: string) => {
  const run = await startRun(
    { ...h.deps, config: { ...h.config, taskQueue: queue } },
    { workflowId: ids.flow, input: { n: 21 } },
  );
  await h.client.workflow.getHandle(run.workflowId).result();
  await eventually(async () => (await h.db(WI).where({ id: run.instanceId }).first())?.status === 'completed');
  return run;
};

it('when every task mirror write failed, reconcile writes each task row from history: completed, output, attempt', async () => {
  const run = await runCompleted(outage.taskQueue);
  expect(await rowsOf(run.instanceId)).toEqual([]);

  await pass();

  const rows = await rowsOf(run.instanceId);
  expect(rows.map((r) => [r.step_id, r.status, r.attempt, r.output, r.error])).toEqual([
    ['first', 'completed', 1, { n: 21 }, null],
    ['second', 'completed', 2, { doubled: 42 }, null],
  ]);
  expect(rows[1]).toMatchObject({
    task_id: ids.flaky,
    task_version: '1.0.0',
    step_path: 'second',
    input: { n: 21 },
    execution_key: `${run.runId}/${rows[1].temporal_activity_id}`,
  });
  expect(rows[1].task_definition_id).not.toBeNull();
  expect(rows[1].started_at.getTime()).toBeLessThanOrEqual(rows[1].completed_at.getTime());
});

it('a row left running by a dropped end write ends completed, and a missing row comes back under the same key', async () => {
  const run = await runCompleted(healthy.taskQueue);
  const before = await rowsOf(run.instanceId);
  expect(before.map((r) => r.status)).toEqual(['completed', 'completed']);
  const [first, second] = before;
  // What an outage leaves: "first" never written at all, "second" stuck at its running write.
  await h.db(TI).where({ id: first.id }).delete();
  await h
    .db(TI)
    .where({ id: second.id })
    .update({ status: 'running', output: null, completed_at: null, duration_ms: null, mirror_seq: second.attempt * 2 });

  await pass();

  const after = await rowsOf(run.instanceId);
  expect(after.map((r) => [r.step_id, r.status, r.output, r.error])).toEqual([
    ['first', 'completed', { n: 21 }, null],
    ['second', 'completed', { doubled: 42 }, null],
  ]);
  expect(after[1].id).toBe(second.id);
  // Same (execution_key, created_at) as runTask wrote: history's scheduled time is the activity's.
  expect([after[0].execution_key, after[0].created_at.getTime()]).toEqual([
    first.execution_key,
    first.created_at.getTime(),
  ]);
});

it('a second reconcile changes nothing', async () => {
  const instances = (await h.db(WI).where({ definition_workflow_id: ids.flow })).map((w) => w.id as string);
  const snapshot = async () =>
    (await h.db(TI).whereIn('workflow_instance_id', instances).orderBy('id')).map((r) => [
      r.id,
      r.status,
      r.attempt,
      r.mirror_seq,
      r.updated_at.getTime(),
    ]);
  await pass();
  const before = await snapshot();
  await pass();
  expect(await snapshot()).toEqual(before);
  expect(before).toHaveLength(4);
});
