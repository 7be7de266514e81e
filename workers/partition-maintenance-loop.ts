/**
 * Runs data lifecycle maintenance (services/maintenance/partition-maintenance.ts) every `intervalMs` (a day by
 * default: PARTITION_MAINTENANCE_INTERVAL_MS) while the worker lives: a first run shortly after start-up, never
 * awaited by it; a failed run is logged and the next tick retries. Every worker runs the loop; the maintenance
 * lock lets one of them work at a time, and the others skip that tick (docs/data-lifecycle.md#schedule says why
 * this is not a Temporal Schedule). Timers are unref'd.
 */
import type { Knex } from 'knex';
import type { Logger } from '../common/logger';
import {
  runPartitionMaintenance,
  type MaintenanceOptions,
  type Retention,
} from '../services/maintenance/partition-maintenance';
import { PARTITIONED_TABLES } from '../db/partitions';

/** Starts the loop; it stops when `alive()` turns false or the returned function is called. */
export function startPartitionMaintenanceLoop(
  deps: { db: Knex; logger: Logger; retention: Retention; options?: MaintenanceOptions },
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
    runPartitionMaintenance({ db: deps.db, logger }, deps.retention, PARTITIONED_TABLES, deps.options)
      .then((report) => {
        if (!report) logger.debug('maintenance skipped: another process is running it');
        else logger.info({ report }, 'maintenance run finished');
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
