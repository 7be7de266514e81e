/**
 * The event sweeper: the dispatcher's safety net, in the worker process, at start-up and then every
 * `eventSweepIntervalMs`. When events of this deployment's dispatcher are still `pending` past the grace
 * period — their wake-up was lost (the API died between commit and signal, Temporal was unreachable) or their
 * shard is not running — it wakes (and if needed starts) the shards they belong to. Waking is idempotent.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { wakeIfStale, wakeUnshardedDispatcher } from '../services/events/handoff';

/** Dependencies of the sweeper. */
export interface SweeperDeps {
  db: Knex;
  temporal: Client;
  config: Config;
  logger: Logger;
}

/** One pass: wakes the dispatcher shards that have stale pending events; returns whether it woke any. */
export async function sweepPendingEvents(deps: SweeperDeps): Promise<boolean> {
  return (await wakeIfStale(deps)).length > 0;
}

/**
 * Starts the periodic sweeper (first pass at once). It ends by itself when `alive()` turns false (the
 * worker stopped) or when `stop()` is called, which waits for a running pass. Timers are unref'd.
 */
export function startEventSweeper(deps: SweeperDeps, alive: () => boolean = () => true): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let triedUnsharded = false;
  const pass = async () => {
    try {
      const woke = await sweepPendingEvents(deps);
      if (woke) deps.logger.info('event sweeper woke the dispatcher for stale pending events');
      // Once per process, and only when events were stale (the first pass after an upgrade finds the events the
      // old dispatcher was never woken for): the single dispatcher of before sharding, if it still runs, delivers
      // what it holds and retires. Not at every start: a call still in flight when the client closes is retried by the
      // SDK on the closed channel, which throws outside any promise (it failed test files whose worker just started).
      if (woke && !triedUnsharded) {
        triedUnsharded = true;
        if (await wakeUnshardedDispatcher(deps.temporal, deps.config))
          deps.logger.info('event sweeper woke the unsharded event dispatcher so that it retires');
      }
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
