/**
 * The event sweeper: runs in the worker process, at start-up and then every `eventSweepIntervalMs`.
 * It starts delivery for events that were stored but never handed to Temporal (the API died between
 * commit and hand-off, or Temporal was unreachable). Starting is idempotent by workflow id, so racing
 * the API's own hand-off or another worker's sweeper is harmless.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { findStalePending, touchPending } from '../db/repositories/event-queue-state';
import { startDelivery } from '../services/event-handoff';

/** Dependencies of the sweeper. */
export interface SweeperDeps {
  db: Knex;
  temporal: Client;
  config: Config;
  logger: Logger;
}

const BATCH = 500;
const PARALLEL = 16;

/** One pass: hands over every stale pending event (in batches); returns how many were started now. */
export async function sweepPendingEvents(deps: SweeperDeps): Promise<number> {
  let started = 0;
  for (;;) {
    const rows = await findStalePending(deps.db, deps.config.eventSweepGraceMs, BATCH);
    for (let i = 0; i < rows.length; i += PARALLEL) {
      const chunk = rows.slice(i, i + PARALLEL);
      const results = await Promise.all(chunk.map((r) => startDelivery(deps.temporal, deps.config, {
        eventId: r.event_id, sequenceKey: r.sequence_key, sequenceNumber: r.sequence_number,
      })));
      started += results.filter(Boolean).length;
      // Pushes next_attempt_at forward so a delivery still waiting for its turn is not re-examined every pass.
      await touchPending(deps.db, chunk.map((r) => r.event_id));
    }
    if (rows.length < BATCH) return started;
  }
}

/**
 * Starts the periodic sweeper (first pass at once). It ends by itself when `alive()` turns false (the
 * worker stopped) or when `stop()` is called, which waits for a running pass. Timers are unref'd.
 */
export function startEventSweeper(deps: SweeperDeps, alive: () => boolean = () => true): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const pass = async () => {
    try {
      const n = await sweepPendingEvents(deps);
      if (n > 0) deps.logger.info({ started: n }, 'event sweeper handed over stored events');
    } catch (err) {
      deps.logger.warn({ err }, 'event sweep failed; retrying next interval');
    }
  };
  const loop = () => {
    if (stopped || !alive()) return;
    running = pass().finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, deps.config.eventSweepIntervalMs);
      timer.unref();
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
