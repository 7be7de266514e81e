/**
 * The queries of the event-store look-back (services/events/routing/lookback.ts): a run's cause chain (for its
 * visibility horizon) and the stored events a run has not received.
 */
import type { Db } from './sql';
import { EV } from './event-instances';
import { WORKFLOW_EVENT_SUBSCRIPTIONS } from './workflow-event-subscriptions';
import { WORKFLOW_INSTANCES } from './workflow-instances';

const LIMIT = 500;
// Parent links followed to find a child's horizon (sub_workflow nesting is far shallower in practice).
const MAX_DEPTH = 32;

/** One run of a cause chain: its depth (0 = the run itself), cause event id, start, and the cause's store time. */
export interface CauseChainRow {
  depth: number;
  cause: string | null;
  t: Date;
  cause_at: Date | null;
}

/**
 * The run and its ancestors up to the first that has a cause event (a trigger's event, or the event a parent
 * had received before starting the child), each with its start and its cause event's store time; run by its
 * row id when known, else by its workflow id.
 */
export async function causeChain(
  db: Db,
  run: { instanceId?: string | null; workflowId: string },
): Promise<CauseChainRow[]> {
  const self = run.instanceId ? ['wi.id = ?', run.instanceId] : ['wi.temporal_workflow_id = ?', run.workflowId];
  const cause = (t: string) => `COALESCE(${t}."trigger"->>'eventId', ${t}."trigger"->>'causeEventId')`;
  const { rows } = (await db.raw(
    `WITH RECURSIVE chain AS (
      SELECT wi.parent_instance_id AS parent, ${cause('wi')} AS cause, LEAST(wi.started_at, wi.created_at) AS t, 0 AS depth
        FROM ${WORKFLOW_INSTANCES} wi WHERE ${self[0]}
      UNION ALL
      SELECT p.parent_instance_id, ${cause('p')}, LEAST(p.started_at, p.created_at), c.depth + 1
        FROM ${WORKFLOW_INSTANCES} p JOIN chain c ON p.id = c.parent
       WHERE c.cause IS NULL AND c.depth < ${MAX_DEPTH})
    SELECT c.depth, c.cause, c.t, k.event_created_at AS cause_at
      FROM chain c LEFT JOIN ${EV}.event_instance_keys k ON k.event_id = c.cause ORDER BY c.depth`,
    [self[1]],
  )) as { rows: CauseChainRow[] };
  return rows;
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

/**
 * Candidate events the run has not received, oldest first: exact pattern filtered here, a wildcard pattern
 * left to the caller's matcher (each row carries its pattern).
 */
export async function unreceivedCandidates(
  db: Db,
  l: LookBackQuery,
  wildcard: boolean,
): Promise<Array<{ event_id: string; pattern: string }>> {
  const q = db(`${EV}.event_instances as e`)
    .select('e.event_id', 'e.pattern')
    .where('e.created_at', '>=', l.since)
    .whereNotExists(
      db(WORKFLOW_EVENT_SUBSCRIPTIONS)
        .select(db.raw('1'))
        .where({ temporal_workflow_id: l.workflowId })
        .whereRaw('matched_event_id = e.event_id'),
    )
    .whereNotExists(
      db(`${EV}.event_queue_state`)
        .select(db.raw('1'))
        .where({ consumer: l.workflowId })
        .whereRaw('event_id = e.event_id'),
    )
    // The event that caused the run is its input (or its parent's), not something its waits are waiting for.
    .whereNotExists(
      db(WORKFLOW_INSTANCES)
        .select(db.raw('1'))
        .where({ temporal_workflow_id: l.workflowId })
        .whereRaw(`e.event_id IN ("trigger"->>'eventId', "trigger"->>'causeEventId')`),
    )
    .limit(LIMIT);
  if (l.handedAsReceived !== false) {
    q.whereNotExists(
      db(WORKFLOW_EVENT_SUBSCRIPTIONS)
        .select(db.raw('1'))
        .where({ temporal_workflow_id: l.workflowId })
        .whereRaw('lookback_event_id = e.event_id'),
    );
  }
  if (!wildcard) q.where('e.pattern', l.pattern);
  const corr = l.correlation;
  if (corr !== undefined && corr !== null) {
    q.where((w) =>
      w.whereRaw(`e.metadata->>'correlationId' = ?`, [corr]).orWhereRaw(`e.metadata->>'correlationKey' = ?`, [corr]),
    );
    q.orderByRaw('e.sequence_number ASC NULLS LAST, e.created_at ASC');
  } else {
    q.orderBy([
      { column: 'e.created_at', order: 'asc' },
      { column: 'e.id', order: 'asc' },
    ]);
  }
  if (l.below) q.where('e.sequence_key', l.below.sequenceKey).where('e.sequence_number', '<', l.below.sequenceNumber);
  return (await q) as Array<{ event_id: string; pattern: string }>;
}
