/**
 * A platform entry point (`workers/main.ts`, `api/main.ts`) in a child process: `node --import tsx <script>`, so
 * the pid a test watches and SIGKILLs is the process itself, not a wrapper. Its output is kept (the last part in
 * memory, everything in a log file when one is given) and the start resolves once a ready line was printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
/** How much output stays in memory (the log file, if any, has all of it). */
const KEPT_OUTPUT = 256 * 1024;

/** A running child process. */
export interface NodeProcess {
  name: string;
  child: ChildProcess;
  /** What it printed (stdout and stderr), the last 256 KB. */
  output(): string;
  /** True while the process has neither exited nor been killed. */
  alive(): boolean;
  /** SIGKILLs it (if still alive) and waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERMs it and waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** What to start. */
export interface NodeProcessOptions {
  name: string;
  /** Script path relative to the repository root. */
  script: string;
  env: Record<string, string | undefined>;
  /** Text the process prints once it is ready. */
  ready: string;
  /** Also append everything it prints to this file. */
  logFile?: string;
  timeoutMs?: number;
}

/** Spawns the script and resolves once `ready` was printed; throws with its output if it exits or times out first. */
export async function startNodeProcess(opts: NodeProcessOptions): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', opts.script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env,
  });
  const file = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  let output = '';
  let ready = false;
  const collect = (chunk: Buffer): void => {
    file?.write(chunk);
    output += chunk.toString();
    if (!ready && output.includes(opts.ready)) ready = true;
    if (output.length > KEPT_OUTPUT * 2) output = output.slice(-KEPT_OUTPUT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      if (file) file.end(() => r());
      else r();
    }),
  );
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const until = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!ready) {
    if (!alive()) throw new Error(`${opts.name} exited before it was ready:\n${output}`);
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} was not ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: opts.name,
    child,
    output: () => output,
    alive,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 10_000) {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
