/**
 * Runs per second for bench:scale: the same definition (three no-op tasks in sequence, mirror on) started with
 * startRun at a fixed concurrency and awaited, served by worker processes (`workers/main.ts`, the production
 * entry point, as children of the bench) against a Temporal server: the dev server with one worker, then the
 * real multi-service server (devstack/temporal-server.ts) with one and with two workers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import { taskDefinitions } from '../db/repositories/task-definitions';
import { workflowDefinitions } from '../db/repositories/workflow-definitions';
import { startRun } from '../services/runs';
import { runConcurrently, summarise, type Series } from './events-stats';

const ROOT = resolve(__dirname, '..');

/** A worker process serving `taskQueue`; resolves once it polls. */
export async function spawnWorker(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      RECONCILE_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      AOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'aos-bench-worker-')),
      ...env,
    },
  });
  let output = '';
  child.stdout?.on('data', (c) => (output = (output + c).slice(-20_000)));
  child.stderr?.on('data', (c) => (output = (output + c).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const until = Date.now() + 120_000;
  while (!output.includes('worker running')) {
    if (child.exitCode !== null) throw new Error(`worker process exited early:\n${output}`);
    if (Date.now() > until) throw new Error(`worker process did not start in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Stores the run's task and definition (once per database): three no-op tasks in sequence. */
export async function storeRunDefinition(db: Knex): Promise<string> {
  const workflowId = `scale-runs-${randomUUID().slice(0, 8)}`;
  const taskId = `${workflowId}-noop`;
  await taskDefinitions.insert(db, {
    task_id: taskId,
    version: '1.0.0',
    name: 'noop',
    status: 'active',
    type: 'noop',
    config: {},
  });
  await workflowDefinitions.insert(db, {
    workflow_id: workflowId,
    version: '1.0.0',
    name: 'scale runs',
    status: 'active',
    definition: {
      workflow_id: workflowId,
      name: 'scale runs',
      version: '1.0.0',
      steps: [0, 1, 2].map((i) => ({ id: `t${i}`, type: 'task' as const, task: taskId, input: { i } })),
    },
  });
  return workflowId;
}

/**
 * Starts `runs` runs with startRun (`concurrency` in flight, after a warm-up of `concurrency` runs) on the
 * server at `address` and waits for each result; start-to-result latency per run.
 */
export async function measureRuns(
  deps: { db: Knex; config: Config },
  target: { address: string; namespace: string; taskQueue: string },
  workflowId: string,
  runs: number,
  concurrency: number,
  name: string,
): Promise<Series> {
  const connection = await Connection.connect({ address: target.address });
  const temporal = new Client({ connection, namespace: target.namespace });
  const config = { ...deps.config, taskQueue: target.taskQueue, temporalNamespace: target.namespace } as Config;
  const one = async (i: number) => {
    const res = await startRun({ db: deps.db, temporal, config }, { workflowId, input: { i } });
    await temporal.workflow.getHandle(res.workflowId).result();
  };
  try {
    await runConcurrently(concurrency, concurrency, one);
    const { latencies, seconds } = await runConcurrently(runs, concurrency, one);
    return summarise(name, latencies, seconds);
  } finally {
    await connection.close();
  }
}
