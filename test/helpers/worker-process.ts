/**
 * The orchestrator worker in a child process (`workers/main.ts`), so a test can tell a crash of the worker from
 * a failure of a run: the process's exit is observable, and the test process survives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_ENV } from '../harness-state';
import { temporalAddress } from './temporal';

const ROOT = resolve(__dirname, '../..');

/** A running worker process. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** True while the process has neither exited nor been killed. */
  alive(): boolean;
  /** SIGKILLs it (if still alive) and waits for the exit. */
  kill(): Promise<void>;
}

/** Starts `workers/main.ts` on the harness's servers and the given task queue; resolves once it polls. */
export async function startWorkerProcess(taskQueue: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  // node with tsx's loader (not the tsx CLI): the pid we watch and kill is the worker itself, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
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
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const until = Date.now() + 60_000;
  while (!output.includes('worker running')) {
    if (!alive()) throw new Error(`worker process exited early:\n${output}`);
    if (Date.now() > until) throw new Error(`worker process did not start in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output: () => output,
    alive,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}
