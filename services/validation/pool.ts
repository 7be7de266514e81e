/**
 * Validation of user documents runs in worker threads, never on the API's event loop. Parsing JSONata costs
 * about 0.15 ms per expression and compiling a JSON Schema with Ajv 20-40 ms per KB, so a 1 MB body checked
 * inline stalled every other request for seconds (20,000 expressions: 7 s; an 800 KB schema: 18 s). In a thread
 * the loop only pays for copying the document; a thread that overruns its time is terminated (which stops even
 * synchronous code) and replaced, and its heap is capped, so one document cannot hold a thread forever either.
 */
import { extname, join } from 'node:path';
import { ThreadPool, type ThreadFailure } from '../../common/thread-pool';
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
  constructor(
    readonly reason: 'timeout' | 'crashed',
    message: string,
  ) {
    super(message);
    this.name = 'ValidationThreadError';
  }
}

// Under ts-jest or tsx the entry is TypeScript: the thread loads it through tsx's require hook.
const ENTRY = join(__dirname, `thread${extname(__filename)}`);

function validationFailure(timeoutMs: number, f: ThreadFailure): ValidationThreadError {
  if (f.reason === 'timeout') {
    const message = `validation took longer than ${timeoutMs} ms; make the document smaller or simpler`;
    return new ValidationThreadError('timeout', message);
  }
  // Validation jobs carry no abort signal; 'cancelled' cannot happen and reads as a crash.
  const cause = f.reason === 'crashed' ? f.cause : new Error('cancelled');
  const detail = typeof cause === 'number' ? ` (thread exit code ${cause})` : `: ${cause.message}`;
  return new ValidationThreadError('crashed', `validation stopped${detail}`);
}

/**
 * A small pool of validation threads (common/thread-pool.ts), started on first use; a thread joins once its
 * modules are loaded (boot time never counts against a job); `run` queues when all are busy.
 */
export class ValidationPool {
  private readonly pool: ThreadPool<ValidationJob, ValidationReply>;

  constructor(opts: ValidationPoolOptions) {
    this.pool = new ThreadPool({
      entry: ENTRY,
      ...opts,
      readyMessage: THREAD_READY,
      failure: (f) => validationFailure(opts.timeoutMs, f),
      startFailure: (err) => {
        const why = typeof err === 'number' ? `exit code ${err}` : err.message;
        return `validation thread failed to start: ${why}`;
      },
    });
  }

  /** Runs `job` in a thread; rejects with {@link ValidationThreadError} when the thread cannot answer. */
  run(job: ValidationJob): Promise<ValidationReply> {
    return this.pool.run(job);
  }

  /** Starts a thread ahead of need, so the first request does not wait; resolves once it is ready (or failed). */
  warm(): Promise<void> {
    return this.pool.warm();
  }
}
