/**
 * The event-store look-back of a waiting run: matching events stored since the run started that the run
 * has neither received as a signal (a delivery row with the workflow id as consumer) nor consumed
 * through an earlier look-back (a subscription matched to it), and that did not start the run itself. Oldest first: by sequence number within a
 * correlation (created_at, a transaction start, can interleave for concurrent publishers).
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { isWildcard, matchesPattern } from '../../common/events/pattern';
import { EV } from '../../db/repositories/event-instances';
import { WORKFLOW_EVENT_SUBSCRIPTIONS } from '../../db/repositories/workflow-event-subscriptions';
import { WORKFLOW_INSTANCES } from '../../db/repositories/workflow-instances';

const LIMIT = 500;
// The run's first recorded moment (the row survives continue-as-new), less a small allowance: the mirror may
// stamp started_at at the first workflow task, a moment after a caller could already publish.
const START_SKEW_MS = 2_000;

/** When the run started (for the look-back window). */
export async function runStartedAt(db: Knex, temporal: Client | undefined, run: { instanceId?: string | null; workflowId: string }): Promise<Date> {
  const q = db(WORKFLOW_INSTANCES).first(db.raw('LEAST(started_at, created_at) AS t'));
  const row = (await (run.instanceId ? q.where({ id: run.instanceId }) : q.where({ temporal_workflow_id: run.workflowId }))) as { t: Date } | undefined;
  const t = row?.t ?? (temporal ? (await temporal.workflow.getHandle(run.workflowId).describe()).startTime : undefined);
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
}

/** Event ids the run has not received, oldest first. */
export async function unreceivedEvents(db: Knex, l: LookBackQuery): Promise<string[]> {
  const q = db(`${EV}.event_instances as e`).select('e.event_id', 'e.pattern').where('e.created_at', '>=', l.since)
    .whereNotExists(db(WORKFLOW_EVENT_SUBSCRIPTIONS).select(db.raw('1')).where({ temporal_workflow_id: l.workflowId }).whereRaw('matched_event_id = e.event_id'))
    .whereNotExists(db(`${EV}.event_queue_state`).select(db.raw('1')).where({ consumer: l.workflowId }).whereRaw('event_id = e.event_id'))
    // The event that started the run is its input, not something its waits are waiting for.
    .whereNotExists(db(WORKFLOW_INSTANCES).select(db.raw('1')).where({ temporal_workflow_id: l.workflowId }).whereRaw(`"trigger"->>'eventId' = e.event_id`))
    .limit(LIMIT);
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
