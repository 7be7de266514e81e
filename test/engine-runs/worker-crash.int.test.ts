/**
 * A worker killed mid-run: the run's task is sleeping on a worker in a child process, which gets SIGKILL.
 * A new worker process picks the run up (the activity retries after its heartbeat timeout), the run
 * completes, and the mirror has exactly one row per step execution and matches Temporal's final state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startRun } from '../../services/runs';
import { TEST_ENV } from '../harness-state';
import { temporalAddress } from '../helpers/temporal';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(120_000);
const ROOT = resolve(__dirname, '../..');
const sfx = randomBytes(3).toString('hex');
let h: RunHarness;
const children: ChildProcess[] = [];

/** Starts `tsx workers/main.ts` on the harness's servers and waits until it polls its task queue. */
async function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  // node with tsx's loader (not the tsx CLI): the pid we SIGKILL must be the worker itself, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development',
      DATABASE_URL: process.env[TEST_ENV.databaseUrl], TEMPORAL_ADDRESS: temporalAddress(), TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: process.env[TEST_ENV.bundlePath], RECONCILE_INTERVAL_MS: '0', LOG_LEVEL: 'info', LOG_PRETTY: 'false',
      AOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'aos-worker-')),
    },
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`worker process exited early:\n${output}`);
    return output.includes('worker running');
  }, 60_000);
  return child;
}

beforeAll(async () => {
  h = await startRunHarness({ worker: false });
  await activeTask(h.db, { task_id: `crash-echo-${sfx}`, type: 'echo' });
  // A short heartbeat timeout: the dead worker's attempt is given up on within seconds.
  await activeTask(h.db, { task_id: `crash-nap-${sfx}`, type: 'code', config: { handler: 'sleep' }, timeouts: { heartbeat: '2s', start_to_close: '60s' }, retry_policy: { max_attempts: 5, initial_interval: '200ms' } });
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
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.close();
});

it('when the worker is killed mid-activity, a new worker completes the run and the mirror has no duplicates', async () => {
  const first = await startWorkerProcess(h.config.taskQueue);
  const run = await startRun(h.deps, { workflowId: `crash-${sfx}`, input: { hello: 'world' } });
  const TI = h.db('task_execution_service.task_instances');
  await eventually(async () => (await TI.clone().where({ workflow_instance_id: run.instanceId, step_id: 'nap', status: 'running' }))[0]);

  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  await startWorkerProcess(h.config.taskQueue);

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
  expect(rows.map((r) => [r.step_id, r.status])).toEqual([['before', 'completed'], ['nap', 'completed'], ['after', 'completed']]);
  expect(rows.find((r) => r.step_id === 'nap').attempt).toBeGreaterThanOrEqual(2);
});
