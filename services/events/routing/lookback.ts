/**
 * The event-store look-back of a waiting run: matching events stored since the run's visibility horizon
 * (see {@link visibleSince}) that the run has not received — neither as a signal (a delivery row with the
 * workflow id as consumer), nor from an earlier look-back (a subscription's `lookback_event_id`), nor matched
 * to an earlier wait — and that did not cause the run itself. Oldest first: by sequence number within a
 * correlation (created_at, a transaction start, can interleave for concurrent publishers).
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { isWildcard, matchesPattern } from '../../../common/events/pattern';
import { causeChain, unreceivedCandidates, type LookBackQuery } from '../../../db/repositories/event-lookback';

export type { LookBackQuery } from '../../../db/repositories/event-lookback';

// Only for a run with no cause event: a run started on Temporal directly (not through startRun) gets its row
// from the mirror at its first workflow task, a moment after a caller could already publish.
const START_SKEW_MS = 2_000;

/**
 * Where a run's look-back starts (docs/events.md, "Event visibility"): the store time of the event that caused
 * the run (a trigger's event; for a child, the last event its parent had received before starting it, else the
 * parent's own horizon), so an event stored after its cause is found however late the run started; without a
 * cause event, the run's (or its root's) recorded start less {@link START_SKEW_MS}. Events stored in one
 * statement share `created_at`, and a transaction begun after another committed has a later one.
 */
export async function visibleSince(
  db: Knex,
  temporal: Client | undefined,
  run: { instanceId?: string | null; workflowId: string },
): Promise<Date> {
  const rows = await causeChain(db, run);
  const caused = rows.find((r) => r.cause !== null);
  if (caused?.cause_at) return caused.cause_at;
  // A cause event no longer stored, or none: the start of the run that has it, else of the root.
  const anchor = caused ?? rows[rows.length - 1];
  const t =
    anchor?.t ?? (temporal ? (await temporal.workflow.getHandle(run.workflowId).describe()).startTime : undefined);
  if (!t) throw new Error(`workflow ${run.workflowId} has no instance row yet`);
  return new Date(t.getTime() - START_SKEW_MS);
}

/** Event ids the run has not received, oldest first. */
export async function unreceivedEvents(db: Knex, l: LookBackQuery): Promise<string[]> {
  const rows = await unreceivedCandidates(db, l, isWildcard(l.pattern));
  return rows.filter((r) => matchesPattern(l.pattern, r.pattern)).map((r) => r.event_id);
}
