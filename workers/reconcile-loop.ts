/**
 * Runs the mirror reconciler every `intervalMs` while the worker lives (timers unref'd: never keeps a process up).
 * Each pass ends with flow control's safety sweep: queued runs whose slot freed without a promotion (a worker or
 * API process that died between a run's close and the promotion, a run closed by the reconciler) are started.
 */
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { reconcile, type ReconcileOptions } from '../services/mirror/reconcile/reconcile';
import { sweepRunQueues } from '../services/runs/flow-control';
import type { Logger } from '../common/logger';

/** Starts the loop; it stops by itself once the worker has stopped, or when the returned function is called. */
export function startReconcileLoop(
  deps: { db: Knex; temporal: Client; logger: Logger },
  worker: Worker,
  intervalMs: number,
  onStop?: () => unknown,
  opts: ReconcileOptions = {},
): () => void {
  if (intervalMs <= 0) return () => {};
  const logger = deps.logger.child({ component: 'reconciler' });
  let busy = false;
  const tick = (): void => {
    const state = worker.getState();
    if (state === 'STOPPED' || state === 'FAILED') {
      stop();
      void onStop?.();
      return;
    }
    if (busy || state !== 'RUNNING') return; // a slow pass is never overlapped by the next
    busy = true;
    reconcile({ ...deps, logger }, opts)
      .catch((err) => logger.warn({ err }, 'reconcile pass failed'))
      .then(() => (opts.dryRun ? 0 : sweepRunQueues(deps, logger)))
      .catch((err) => logger.warn({ err }, 'queued run sweep failed'))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, intervalMs);
  // A first pass soon after start: a run whose workflow task kills the worker is quarantined by the restarted one
  // before its next attempt (Temporal waits out the task timeout of the dead attempt first).
  const first = setTimeout(tick, Math.min(intervalMs, 1_000));
  timer.unref();
  first.unref();
  function stop(): void {
    clearInterval(timer);
    clearTimeout(first);
  }
  return stop;
}
