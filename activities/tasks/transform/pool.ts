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
import type { ExpressionLimits } from '../../../common/expressions/limits';
import { ThreadPool, type ThreadFailure } from '../../../common/thread-pool';
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
  constructor(
    readonly reason: 'timeout' | 'crashed' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'TransformThreadError';
  }
}

// Under ts-jest or tsx the entry is TypeScript: the thread loads it through tsx's require hook.
const ENTRY = join(__dirname, `thread${extname(__filename)}`);

// Pools by their options: threads are a process resource (each boots its own V8 heap), so every activity set
// built with the same settings in one process shares one pool instead of booting threads of its own.
const shared = new Map<string, TransformPool>();

function transformFailure(timeoutMs: number, f: ThreadFailure): TransformThreadError {
  if (f.reason === 'cancelled') return new TransformThreadError('cancelled', 'transform cancelled');
  if (f.reason === 'timeout') {
    const message = `transform took longer than ${timeoutMs} ms (TRANSFORM_TIMEOUT_MS); its thread was stopped`;
    return new TransformThreadError('timeout', message);
  }
  const detail = typeof f.cause === 'number' ? `exited (code ${f.cause})` : `failed: ${f.cause.message}`;
  return new TransformThreadError('crashed', `transform thread ${detail}`);
}

/** A small pool of expression threads (common/thread-pool.ts); `run` queues when all are busy. */
export class TransformPool {
  /** The process's pool for these options. */
  static shared(opts: TransformPoolOptions): TransformPool {
    const key = JSON.stringify(opts);
    let pool = shared.get(key);
    if (!pool) shared.set(key, (pool = new TransformPool(opts)));
    return pool;
  }

  private readonly pool: ThreadPool<ThreadRequest, ThreadReply>;

  constructor(opts: TransformPoolOptions) {
    this.pool = new ThreadPool({
      entry: ENTRY,
      threads: opts.threads,
      timeoutMs: opts.timeoutMs,
      heapMb: opts.heapMb ?? 512,
      workerData: { limits: opts.limits },
      failure: (f) => transformFailure(opts.timeoutMs, f),
    });
  }

  /** Evaluates `req` in a thread; rejects with {@link TransformThreadError} when the thread cannot answer. */
  run(req: ThreadRequest, signal?: AbortSignal): Promise<ThreadReply> {
    return this.pool.run(req, signal);
  }

  /** Stops every thread (idle ones; busy ones end with their job). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
