/**
 * A worker killed mid-run: the run's task is sleeping on a worker in a child process, which gets SIGKILL.
 * A new worker process picks the run up (the activity retries after its heartbeat timeout), the run
 * completes, and the mirror has exactly one row per step execution and matches Temporal's final state.
 */
import { randomBytes } from 'node:crypto';
import { startRun } from '../../services/runs';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(120_000);
const sfx = randomBytes(3).toString('hex');
let h: RunHarness;
const workers: WorkerProcess[] = [];
const startWorker = async (): Promise<WorkerProcess> => {
  const w = await startWorkerProcess(h.config.taskQueue);
  workers.push(w);
  return w;
};

beforeAll(async () => {
  h = await startRunHarness({ worker: false });
  await activeTask(h.db, { task_id: `crash-echo-${sfx}`, type: 'echo' });
  // A short heartbeat timeout: the dead worker's attempt is given up on within seconds.
  await activeTask(h.db, {
    task_id: `crash-nap-${sfx}`,
    type: 'code',
    config: { handler: 'sleep' },
    timeouts: { heartbeat: '2s', start_to_close: '60s' },
    retry_policy: { max_attempts: 5, initial_interval: '200ms' },
  });
  await activeWorkflow(h.db, {
    workflow_id: `crash-${sfx}`,
    steps: [
      { id: 'before', type: 'task', task: `crash-echo-${sfx}` },
      { id: 'nap', type: 'task', task: `crash-nap-${sfx}`, input: { ms: 4000 } },
      { id: 'after', type: 'task', task: `crash-echo-${sfx}`, input: '{% $steps.nap.output %}' },
    ],
  });
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await h?.close();
});

it('when the worker is killed mid-activity, a new worker completes the run and the mirror has no duplicates', async () => {
  const first = await startWorker();
  const run = await startRun(h.deps, { workflowId: `crash-${sfx}`, input: { hello: 'world' } });
  const TI = h.db('task_execution_service.task_instances');
  await eventually(
    async () =>
      (await TI.clone().where({ workflow_instance_id: run.instanceId, step_id: 'nap', status: 'running' }))[0],
  );

  await first.kill();
  await startWorker();

  const output = await h.client.workflow.getHandle(run.workflowId).result();
  expect(output).toEqual({ sleptMs: 4000 });
  const desc = await h.client.workflow.getHandle(run.workflowId).describe();
  expect(desc.status.name).toBe('COMPLETED');

  const wi = await eventually(async () => {
    const r = await h.db('workflow_orchestrator_service.workflow_instances').where({ id: run.instanceId }).first();
    return r?.status === 'completed' ? r : undefined;
  });
  expect(wi).toMatchObject({ output: { sleptMs: 4000 }, temporal_run_id: desc.runId });
  const rows = await TI.clone().where({ workflow_instance_id: run.instanceId }).orderBy('created_at');
  expect(rows.map((r) => [r.step_id, r.status])).toEqual([
    ['before', 'completed'],
    ['nap', 'completed'],
    ['after', 'completed'],
  ]);
  expect(rows.find((r) => r.step_id === 'nap').attempt).toBeGreaterThanOrEqual(2);
});
