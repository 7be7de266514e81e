/**
 * A small pool of worker threads for CPU work that must not run on the event loop (transform expressions on
 * the worker, validation of user documents on the API). A job that overruns `timeoutMs` has its thread
 * terminated (which interrupts even synchronous code) and replaced; each thread has its own heap limit, so an
 * allocation that slips past the size limits kills the thread, not the process. `run` queues when all are busy.
 */
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Why a job did not answer: its thread overran its time, died (error or exit code), or the job was cancelled. */
export type ThreadFailure =
  { reason: 'timeout' } | { reason: 'crashed'; cause: Error | number } | { reason: 'cancelled' };

/** How a pool is sized, what its threads run, and how its failures read. */
export interface ThreadPoolOptions {
  /** The thread's entry module (a `.ts` entry is loaded through tsx's require hook, as under ts-jest or tsx). */
  entry: string;
  threads: number;
  timeoutMs: number;
  /** Old-generation heap of each thread, MB. */
  heapMb: number;
  workerData?: unknown;
  /**
   * When set, a new thread joins the pool only once it posts this message (its modules are loaded), so boot time
   * never counts against a job; a thread that fails before then fails the queued jobs instead of respawning forever.
   */
  readyMessage?: unknown;
  /** What a job that did not answer rejects with. */
  failure(f: ThreadFailure): Error;
  /** Message of the error queued jobs reject with when a thread fails to start (with `readyMessage` only). */
  startFailure?(cause: Error | number): string;
}

interface Job<Req, Reply> {
  req: Req;
  signal?: AbortSignal;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

/** A pool of threads answering one `Reply` message per `Req` message. */
export class ThreadPool<Req, Reply> {
  private readonly idle: Worker[] = [];
  private readonly queue: Job<Req, Reply>[] = [];
  private readonly execArgv: string[];
  private live = 0;
  private starting = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly opts: ThreadPoolOptions) {
    this.execArgv = extname(opts.entry) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];
  }

  /** Runs `req` in a thread; rejects with `opts.failure(...)` when the thread cannot answer. */
  run(req: Req, signal?: AbortSignal): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, signal, resolve, reject });
      this.pump();
    });
  }

  /** Starts a thread ahead of need, so the first job does not wait for one; resolves once it is ready (or failed). */
  warm(): Promise<void> {
    if (this.live === 0) this.spawn();
    if (this.idle.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Stops every thread (idle ones; busy ones end with their job). */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const job = this.queue[0];
      if (job.signal?.aborted) {
        this.queue.shift();
        job.reject(this.opts.failure({ reason: 'cancelled' }));
      } else if (this.idle.length > 0) {
        this.dispatch(this.idle.pop()!, this.queue.shift()!);
      } else if (this.queue.length > this.starting && this.live < this.opts.threads) {
        this.spawn();
      } else {
        break;
      }
    }
  }

  /** Starts a thread: idle at once, or once it posts `readyMessage`. */
  private spawn(): void {
    this.live++;
    const worker = new Worker(this.opts.entry, {
      ...(this.opts.workerData !== undefined && { workerData: this.opts.workerData }),
      execArgv: this.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb },
    });
    worker.unref(); // an idle pool never keeps the process alive
    if (this.opts.readyMessage === undefined) {
      this.idle.push(worker);
      return;
    }
    this.starting++;
    const failed = (err: Error | number) => {
      // 'error' is followed by 'exit': count the thread out once.
      worker.off('message', ready).off('error', failed).off('exit', failed);
      this.live--;
      this.starting--;
      const why = typeof err === 'number' ? `exit code ${err}` : err.message;
      const message = this.opts.startFailure?.(err) ?? `thread failed to start: ${why}`;
      for (const job of this.queue.splice(0)) job.reject(new Error(message));
      for (const resolve of this.waiting.splice(0)) resolve();
    };
    const ready = (msg: unknown) => {
      if (msg !== this.opts.readyMessage) return;
      worker.off('message', ready).off('error', failed).off('exit', failed);
      this.starting--;
      this.idle.push(worker);
      for (const resolve of this.waiting.splice(0)) resolve();
      this.pump();
    };
    worker.on('message', ready).on('error', failed).on('exit', failed);
  }

  private dispatch(worker: Worker, job: Job<Req, Reply>): void {
    let done = false;
    const finish = (kill: boolean, outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (kill) {
        this.live--;
        void worker.terminate();
      } else this.idle.push(worker);
      outcome();
      this.pump();
    };
    const fail = (f: ThreadFailure) => finish(true, () => job.reject(this.opts.failure(f)));
    const onMessage = (reply: Reply) => finish(false, () => job.resolve(reply));
    const onError = (err: Error) => fail({ reason: 'crashed', cause: err });
    const onExit = (code: number) => fail({ reason: 'crashed', cause: code });
    const onAbort = () => fail({ reason: 'cancelled' });
    const timer = setTimeout(() => fail({ reason: 'timeout' }), this.opts.timeoutMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    job.signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(job.req);
  }
}
