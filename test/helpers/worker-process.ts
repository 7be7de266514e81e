/**
 * The orchestrator worker in a child process (`workers/main.ts`), so a test can tell a crash of the worker from
 * a failure of a run: the process's exit is observable, and the test process survives it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ENV } from '../harness-state';
import { startNodeProcess, type NodeProcess } from './node-process';
import { temporalAddress } from './temporal';

/** A running worker process. */
export type WorkerProcess = NodeProcess;

/** What a worker prints once it polls its task queue. */
export const WORKER_READY = 'worker running';

/** Starts `workers/main.ts` on the harness's servers and the given task queue; resolves once it polls. */
export async function startWorkerProcess(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  return startNodeProcess({
    name: 'worker process',
    script: 'workers/main.ts',
    ready: WORKER_READY,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DATABASE_URL: process.env[TEST_ENV.databaseUrl],
      TEMPORAL_ADDRESS: temporalAddress(),
      TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: process.env[TEST_ENV.bundlePath],
      RECONCILE_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      AOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'aos-worker-')),
      ...env,
    },
  });
}
