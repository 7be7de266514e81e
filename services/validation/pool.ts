/**
 * Validation of user documents runs in worker threads, never on the API's event loop. Parsing JSONata costs
 * about 0.15 ms per expression and compiling a JSON Schema with Ajv 20-40 ms per KB, so a 1 MB body checked
 * inline stalled every other request for seconds (20,000 expressions: 7 s; an 800 KB schema: 18 s). In a thread
 * the loop only pays for copying the document; a thread that overruns its time is terminated (which stops even
 * synchronous code) and replaced, and its heap is capped, so one document cannot hold a thread forever either.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { THREAD_READY, type ValidationJob, type ValidationReply } from './protocol';

/** How the pool is sized and bounded. */
export interface ValidationPoolOptions {
  threads: number;
  timeoutMs: number;
  /** Old-generation heap of each thread, MB. */
  heapMb: number;
}

/** Why a validation did not answer: its thread overran its time or died (heap). */
export class ValidationThreadError extends Error {
  constructor(readonly reason: 'timeout' | 'crashed', message: string) {
    super(message);
    this.name = 'ValidationThreadError';
  }
}

interface Job {
  job: ValidationJob;
  resolve(reply: ValidationReply): void;
  reject(err: Error): void;
}

// Under ts-jest or tsx the entry is TypeScript: the thread loads it through tsx's require hook.
const ENTRY = join(__dirname, `thread${extname(__filename)}`);
const EXEC_ARGV = extname(__filename) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];

/** A small pool of validation threads, started on first use; `run` queues when all are busy. */
export class ValidationPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private live = 0;
  private starting = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly opts: ValidationPoolOptions) {}

  /** Runs `job` in a thread; rejects with {@link ValidationThreadError} when the thread cannot answer. */
  run(job: ValidationJob): Promise<ValidationReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Starts a thread ahead of need, so the first request does not wait for one; resolves once it is ready (or failed). */
  warm(): Promise<void> {
    if (this.live === 0) this.spawn();
    if (this.idle.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private pump(): void {
    while (this.queue.length > 0 && this.idle.length > 0) this.dispatch(this.idle.pop()!, this.queue.shift()!);
    while (this.queue.length > this.starting && this.live < this.opts.threads) this.spawn();
  }

  /** Starts a thread; it joins the idle list once its modules are loaded (boot time never counts against a job). */
  private spawn(): void {
    this.live++;
    this.starting++;
    const worker = new Worker(ENTRY, { execArgv: EXEC_ARGV, resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb } });
    worker.unref(); // an idle pool never keeps the process alive
    const failed = (err: Error | number) => {
      // 'error' is followed by 'exit': count the thread out once.
      worker.off('message', ready).off('error', failed).off('exit', failed);
      this.live--;
      this.starting--;
      // A thread that cannot even start fails the queued jobs instead of respawning forever.
      const message = `validation thread failed to start: ${typeof err === 'number' ? `exit code ${err}` : err.message}`;
      for (const job of this.queue.splice(0)) job.reject(new Error(message));
      for (const resolve of this.waiting.splice(0)) resolve();
    };
    const ready = (msg: unknown) => {
      if (msg !== THREAD_READY) return;
      worker.off('message', ready).off('error', failed).off('exit', failed);
      this.starting--;
      this.idle.push(worker);
      for (const resolve of this.waiting.splice(0)) resolve();
      this.pump();
    };
    worker.on('message', ready).on('error', failed).on('exit', failed);
  }

  private dispatch(worker: Worker, job: Job): void {
    let done = false;
    const finish = (kill: boolean, outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (kill) { this.live--; void worker.terminate(); } else this.idle.push(worker);
      outcome();
      this.pump();
    };
    const onMessage = (reply: ValidationReply) => finish(false, () => job.resolve(reply));
    const onError = (err: Error) => finish(true, () => job.reject(new ValidationThreadError('crashed', `validation stopped: ${err.message}`)));
    const onExit = (code: number) => finish(true, () => job.reject(new ValidationThreadError('crashed', `validation stopped (thread exit code ${code})`)));
    const timer = setTimeout(() => finish(true, () => job.reject(new ValidationThreadError('timeout',
      `validation took longer than ${this.opts.timeoutMs} ms; make the document smaller or simpler`))), this.opts.timeoutMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(job.job);
  }
}
