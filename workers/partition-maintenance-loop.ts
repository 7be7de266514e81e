/**
 * Runs partition maintenance (services/maintenance/partition-maintenance.ts) every `intervalMs` while the worker
 * lives: a first run shortly after start-up, never awaited by it; a failed run is logged and the next tick retries.
 * Every worker runs the loop; the maintenance lock lets one of them work at a time. Timers are unref'd.
 */
import type { Knex } from 'knex';
import type { Logger } from '../common/logger';
import { runPartitionMaintenance, type Retention } from '../services/maintenance/partition-maintenance';

/** Starts the loop; it stops when `alive()` turns false or the returned function is called. */
export function startPartitionMaintenanceLoop(
  deps: { db: Knex; logger: Logger; retention: Retention },
  intervalMs: number,
  alive: () => boolean = () => true,
  firstRunMs = Math.min(intervalMs, 1_000),
): () => void {
  if (!(intervalMs > 0)) return () => {};
  const logger = deps.logger.child({ component: 'partition-maintenance' });
  let busy = false;
  const tick = (): void => {
    if (!alive()) return stop();
    if (busy) return; // a slow run is never overlapped by the next
    busy = true;
    runPartitionMaintenance({ db: deps.db, logger }, deps.retention)
      .then((report) => {
        if (!report) logger.debug('partition maintenance skipped: another process is running it');
      })
      .catch((err: unknown) => logger.warn({ err }, 'partition maintenance failed; retried next run'))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, intervalMs);
  const first = setTimeout(tick, firstRunMs);
  timer.unref();
  first.unref();
  function stop(): void {
    clearInterval(timer);
    clearTimeout(first);
  }
  return stop;
}
