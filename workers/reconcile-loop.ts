/** Runs the mirror reconciler every `intervalMs` while the worker lives (timers unref'd: never keeps a process up). */
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { reconcile } from '../activities/mirror/reconcile';
import type { Logger } from '../common/logger';

/** Starts the loop; it stops by itself once the worker has stopped, or when the returned function is called. */
export function startReconcileLoop(deps: { db: Knex; temporal: Client; logger: Logger }, worker: Worker, intervalMs: number, onStop?: () => unknown): () => void {
  if (intervalMs <= 0) return () => {};
  const logger = deps.logger.child({ component: 'reconciler' });
  let busy = false;
  const timer = setInterval(() => {
    const state = worker.getState();
    if (state === 'STOPPED' || state === 'FAILED') {
      clearInterval(timer);
      void onStop?.();
      return;
    }
    if (busy || state !== 'RUNNING') return; // a slow pass is never overlapped by the next
    busy = true;
    reconcile({ ...deps, logger })
      .catch((err) => logger.warn({ err }, 'reconcile pass failed'))
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
