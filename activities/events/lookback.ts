/**
 * The event-store look-back of a waiting run: matching events stored since the run's visibility horizon
 * (see {@link visibleSince}) that the run has not received — neither as a signal (a delivery row with the
 * workflow id as consumer), nor from an earlier look-back (a subscription's `lookback_event_id`), nor matched
 * to an earlier wait — and that did not cause the run itself. Oldest first: by sequence number within a
 * correlation (created_at, a transaction start, can interleave for concurrent publishers).
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { isWildcard, matchesPattern } from '../../common/events/pattern';
import { EV } from '../../db/repositories/event-instances';
import { WORKFLOW_EVENT_SUBSCRIPTIONS } from '../../db/repositories/workflow-event-subscriptions';
import { WORKFLOW_INSTANCES } from '../../db/repositories/workflow-instances';

const LIMIT = 500;
// Only for a run with no cause event: a run started on Temporal directly (not through startRun) gets its row
// from the mirror at its first workflow task, a moment after a caller could already publish.
const START_SKEW_MS = 2_000;
// Parent links followed to find a child's horizon (sub_workflow nesting is far shallower in practice).
const MAX_DEPTH = 32;

interface ChainRow { depth: number; cause: string | null; t: Date; cause_at: Date | null }

/**
 * Where a run's look-back starts (docs/events.md, "Event visibility"): the store time of the event that caused
 * the run (a trigger's event; for a child, the last event its parent had received before starting it, else the
 * parent's own horizon), so an event stored after its cause is found however late the run started; without a
 * cause event, the run's (or its root's) recorded start less {@link START_SKEW_MS}. Events stored in one
 * statement share `created_at`, and a transaction begun after another committed has a later one.
 */
export async function visibleSince(db: Knex, temporal: Client | undefined, run: { instanceId?: string | null; workflowId: string }): Promise<Date> {
  const self = run.instanceId ? ['wi.id = ?', run.instanceId] : ['wi.temporal_workflow_id = ?', run.workflowId];
  const cause = (t: string) => `COALESCE(${t}."trigger"->>'eventId', ${t}."trigger"->>'causeEventId')`;
  const { rows } = (await db.raw(`WITH RECURSIVE chain AS (
      SELECT wi.parent_instance_id AS parent, ${cause('wi')} AS cause, LEAST(wi.started_at, wi.created_at) AS t, 0 AS depth
        FROM ${WORKFLOW_INSTANCES} wi WHERE ${self[0]}
      UNION ALL
      SELECT p.parent_instance_id, ${cause('p')}, LEAST(p.started_at, p.created_at), c.depth + 1
        FROM ${WORKFLOW_INSTANCES} p JOIN chain c ON p.id = c.parent
       WHERE c.cause IS NULL AND c.depth < ${MAX_DEPTH})
    SELECT c.depth, c.cause, c.t, k.event_created_at AS cause_at
      FROM chain c LEFT JOIN ${EV}.event_instance_keys k ON k.event_id = c.cause ORDER BY c.depth`, [self[1]])) as { rows: ChainRow[] };
  const caused = rows.find((r) => r.cause !== null);
  if (caused?.cause_at) return caused.cause_at;
  // A cause event no longer stored, or none: the start of the run that has it, else of the root.
  const anchor = caused ?? rows[rows.length - 1];
  const t = anchor?.t ?? (temporal ? (await temporal.workflow.getHandle(run.workflowId).describe()).startTime : undefined);
  if (!t) throw new Error(`workflow ${run.workflowId} has no instance row yet`);
  return new Date(t.getTime() - START_SKEW_MS);
}

/** What to look for. `below` limits the result to earlier numbers of one sequence (routing catch-up). */
export interface LookBackQuery {
  workflowId: string;
  pattern: string;
  correlation?: string | null;
  since: Date;
  below?: { sequenceKey: string; sequenceNumber: number };
  /**
   * Count events handed over by a look-back as received (default). Routing's catch-up does not: it signals
   * them again ahead of a later number, so the run's buffer holds the sequence in order even when the signal
   * of the later number reaches the run before the registration's answer does (duplicates are dropped).
   */
  handedAsReceived?: boolean;
}

/** Event ids the run has not received, oldest first. */
export async function unreceivedEvents(db: Knex, l: LookBackQuery): Promise<string[]> {
  const q = db(`${EV}.event_instances as e`).select('e.event_id', 'e.pattern').where('e.created_at', '>=', l.since)
    .whereNotExists(db(WORKFLOW_EVENT_SUBSCRIPTIONS).select(db.raw('1')).where({ temporal_workflow_id: l.workflowId }).whereRaw('matched_event_id = e.event_id'))
    .whereNotExists(db(`${EV}.event_queue_state`).select(db.raw('1')).where({ consumer: l.workflowId }).whereRaw('event_id = e.event_id'))
    // The event that caused the run is its input (or its parent's), not something its waits are waiting for.
    .whereNotExists(db(WORKFLOW_INSTANCES).select(db.raw('1')).where({ temporal_workflow_id: l.workflowId })
      .whereRaw(`e.event_id IN ("trigger"->>'eventId', "trigger"->>'causeEventId')`))
    .limit(LIMIT);
  if (l.handedAsReceived !== false) {
    q.whereNotExists(db(WORKFLOW_EVENT_SUBSCRIPTIONS).select(db.raw('1')).where({ temporal_workflow_id: l.workflowId }).whereRaw('lookback_event_id = e.event_id'));
  }
  if (!isWildcard(l.pattern)) q.where('e.pattern', l.pattern);
  const corr = l.correlation;
  if (corr !== undefined && corr !== null) {
    q.where((w) => w.whereRaw(`e.metadata->>'correlationId' = ?`, [corr]).orWhereRaw(`e.metadata->>'correlationKey' = ?`, [corr]));
    q.orderByRaw('e.sequence_number ASC NULLS LAST, e.created_at ASC');
  } else {
    q.orderBy([{ column: 'e.created_at', order: 'asc' }, { column: 'e.id', order: 'asc' }]);
  }
  if (l.below) q.where('e.sequence_key', l.below.sequenceKey).where('e.sequence_number', '<', l.below.sequenceNumber);
  const rows = (await q) as Array<{ event_id: string; pattern: string }>;
  return rows.filter((r) => matchesPattern(l.pattern, r.pattern)).map((r) => r.event_id);
}
