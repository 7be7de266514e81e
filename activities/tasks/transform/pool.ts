/**
 * Transform tasks evaluate in worker threads, never on the worker's main thread. The expression budget bounds
 * the number of evaluation steps, but a single step can still run long (a regular expression that backtracks
 * polynomially on a long string, a large sort), and a transform is where users put their heavy data shaping.
 * On the main thread that would stall every other activity, heartbeat and the event dispatcher's local
 * activity; in a thread it only occupies that thread, and past TRANSFORM_TIMEOUT_MS the thread is terminated
 * (which interrupts even synchronous code) and replaced. Each thread also has its own heap limit, so an
 * allocation that slips past the size limits kills the thread, not the process.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExpressionLimits } from '../../../common/expressions/limits';
import type { ThreadReply, ThreadRequest } from './protocol';

/** How the pool is sized and bounded. */
export interface TransformPoolOptions {
  threads: number;
  timeoutMs: number;
  limits: ExpressionLimits;
  /** Old-generation heap of each thread, MB. */
  heapMb?: number;
}

/** Why an evaluation did not answer: the thread overran its time, died (heap), or the task was cancelled. */
export class TransformThreadError extends Error {
  constructor(readonly reason: 'timeout' | 'crashed' | 'cancelled', message: string) {
    super(message);
    this.name = 'TransformThreadError';
  }
}

interface Job {
  req: ThreadRequest;
  signal?: AbortSignal;
  resolve(reply: ThreadReply): void;
  reject(err: Error): void;
}

// Under ts-jest or tsx the entry is TypeScript: the thread loads it through tsx's require hook.
const ENTRY = join(__dirname, `thread${extname(__filename)}`);
const EXEC_ARGV = extname(__filename) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];

// Pools by their options: threads are a process resource (each boots its own V8 heap), so every activity set
// built with the same settings in one process shares one pool instead of booting threads of its own.
const shared = new Map<string, TransformPool>();

/** A small pool of expression threads; `run` queues when all are busy. */
export class TransformPool {
  /** The process's pool for these options. */
  static shared(opts: TransformPoolOptions): TransformPool {
    const key = JSON.stringify(opts);
    let pool = shared.get(key);
    if (!pool) shared.set(key, (pool = new TransformPool(opts)));
    return pool;
  }

  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private live = 0;

  constructor(private readonly opts: TransformPoolOptions) {}

  /** Evaluates `req` in a thread; rejects with {@link TransformThreadError} when the thread cannot answer. */
  run(req: ThreadRequest, signal?: AbortSignal): Promise<ThreadReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, signal, resolve, reject });
      this.pump();
    });
  }

  /** Stops every thread (idle ones; busy ones end with their job). */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  private spawn(): Worker {
    this.live++;
    const worker = new Worker(ENTRY, {
      workerData: { limits: this.opts.limits },
      execArgv: EXEC_ARGV,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb ?? 512 },
    });
    worker.unref(); // an idle pool never keeps the process alive
    return worker;
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.live < this.opts.threads)) {
      const job = this.queue.shift()!;
      if (job.signal?.aborted) { job.reject(new TransformThreadError('cancelled', 'transform cancelled')); continue; }
      this.dispatch(this.idle.pop() ?? this.spawn(), job);
    }
  }

  private dispatch(worker: Worker, job: Job): void {
    let done = false;
    const finish = (kill: boolean, outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (kill) { this.live--; void worker.terminate(); } else this.idle.push(worker);
      outcome();
      this.pump();
    };
    const onMessage = (reply: ThreadReply) => finish(false, () => job.resolve(reply));
    const onError = (err: Error) => finish(true, () => job.reject(new TransformThreadError('crashed', `transform thread failed: ${err.message}`)));
    const onExit = (code: number) => finish(true, () => job.reject(new TransformThreadError('crashed', `transform thread exited (code ${code})`)));
    const onAbort = () => finish(true, () => job.reject(new TransformThreadError('cancelled', 'transform cancelled')));
    const timer = setTimeout(() => finish(true, () => job.reject(new TransformThreadError('timeout',
      `transform took longer than ${this.opts.timeoutMs} ms (TRANSFORM_TIMEOUT_MS); its thread was stopped`))), this.opts.timeoutMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    job.signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(job.req);
  }
}
