/** Dead-letter operations: redrive (a new delivery attempt cycle) and discard. */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { discardDeadLetter, markRedriven, type DeadLetterRow } from '../../db/repositories/dead-letter-queue';
import { resetForRedrive } from '../../db/repositories/event-queue-state';
import { wakeDispatcher } from './handoff';

// The dead letters as the API reads them.
export { getDeadLetter, listDeadLetters } from '../../db/repositories/dead-letter-queue';

/** Outcome per requested dead letter. */
export interface DeadLetterOutcome {
  id: string;
  outcome: 'redriven' | 'discarded' | 'not_open';
  eventId?: string;
}

/**
 * Redrives open dead letters: each moves to `redriven` and its event back to `pending` (attempts reset) in one
 * transaction; then one wake-up of the dispatcher (if it fails, the sweeper wakes it: the events are pending).
 */
export async function redriveDeadLetters(
  deps: { db: Knex; temporal: Client; config: Config; logger?: Logger },
  ids: string[],
): Promise<DeadLetterOutcome[]> {
  const out: DeadLetterOutcome[] = [];
  for (const id of ids) {
    const row: DeadLetterRow | undefined = await deps.db.transaction(async (trx) => {
      const moved = await markRedriven(trx, id);
      if (moved) await resetForRedrive(trx, moved.event_id);
      return moved;
    });
    if (!row) {
      out.push({ id, outcome: 'not_open' });
      continue;
    }
    out.push({ id, outcome: 'redriven', eventId: row.event_id });
  }
  if (out.some((o) => o.outcome === 'redriven')) {
    await wakeDispatcher(deps.temporal, deps.config).catch((err) =>
      deps.logger?.warn({ err }, 'redrive wake-up failed; the sweeper will wake the dispatcher'),
    );
  }
  return out;
}

/** Discards open dead letters (their events stay stored, delivery state stays `dead_lettered`). */
export async function discardDeadLetters(db: Knex, ids: string[]): Promise<DeadLetterOutcome[]> {
  const out: DeadLetterOutcome[] = [];
  for (const id of ids) {
    const row = await discardDeadLetter(db, id);
    out.push(row ? { id, outcome: 'discarded', eventId: row.event_id } : { id, outcome: 'not_open' });
  }
  return out;
}
