/**
 * `registerSubscription` / `closeSubscription`: a wait_for_event step's registration in
 * workflow_event_subscriptions, and the look-back that finds an event published before the wait registered.
 */
import type { Knex } from 'knex';
import type { CloseSubscriptionRequest, RegisterSubscriptionRequest, RegisterSubscriptionResult } from '../../common/definitions/activity-types';
import { FailureType } from '../../common/errors';
import { isWildcard, matchesPattern } from '../../common/events/pattern';
import { EV, getEventByEventId, type StoredEvent } from '../../db/repositories/events/event-store';
import { closeSubscription as closeRow, matchSubscription, registerSubscription as insertRow, WORKFLOW_EVENT_SUBSCRIPTIONS } from '../../db/repositories/workflow-event-subscriptions';
import { WORKFLOW_INSTANCES } from '../../db/repositories/workflow-instances';
import { nonRetryable } from '../tasks/failures';
import type { EventActivityDeps } from './deps';
import { toEnvelope } from './envelope';

const LOOKBACK_LIMIT = 500;

// Deterministic per wait: the n-th wait of a step in a run. A retried registration finds the same key
// (the previous wait of this step is closed before the next registers), so it never opens a second row.
async function subscriptionKey(db: Knex, req: RegisterSubscriptionRequest): Promise<string> {
  const [{ n }] = await db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ temporal_workflow_id: req.workflowId, step_id: req.stepId }).whereNot({ status: 'open' }).count({ n: '*' });
  return `${req.workflowId}:${req.stepId}:${Number(n)}`.slice(0, 512);
}

// The run's first recorded moment (the row survives continue-as-new), less a small allowance: the mirror may
// stamp started_at at the first workflow task, a moment after a caller could already publish.
const START_SKEW_MS = 2_000;

async function startedAt(db: Knex, deps: EventActivityDeps, req: RegisterSubscriptionRequest): Promise<Date> {
  const row = (await db(WORKFLOW_INSTANCES).where({ id: req.instanceId }).first(db.raw('LEAST(started_at, created_at) AS t'))) as { t: Date } | undefined;
  const t = row?.t ?? (deps.temporal ? (await deps.temporal.workflow.getHandle(req.workflowId).describe()).startTime : undefined);
  if (!t) throw new Error(`workflow instance ${req.instanceId} has no row yet`);
  return new Date(t.getTime() - START_SKEW_MS);
}

/** Oldest matching event stored since the run started and not yet consumed by any wait of this run. */
async function lookBack(db: Knex, req: RegisterSubscriptionRequest, since: Date): Promise<StoredEvent | undefined> {
  const q = db(`${EV}.event_instances as e`).select('e.event_id', 'e.pattern').where('e.created_at', '>=', since)
    .whereNotExists(db(WORKFLOW_EVENT_SUBSCRIPTIONS).select(db.raw('1')).where({ temporal_workflow_id: req.workflowId }).whereRaw('matched_event_id = e.event_id'))
    .limit(LOOKBACK_LIMIT);
  // Within one correlation (the usual sequence key) the sequence number is the publication order; created_at
  // (transaction start) can interleave for concurrent publishers.
  if (req.correlation !== undefined) q.orderByRaw('e.sequence_number ASC NULLS LAST, e.created_at ASC');
  else q.orderBy([{ column: 'e.created_at', order: 'asc' }, { column: 'e.id', order: 'asc' }]);
  if (!isWildcard(req.pattern)) q.where('e.pattern', req.pattern);
  const corr = req.correlation;
  if (corr !== undefined) {
    q.where((w) => w.whereRaw(`e.metadata->>'correlationId' = ?`, [corr]).orWhereRaw(`e.metadata->>'correlationKey' = ?`, [corr]));
  }
  const rows = (await q) as Array<{ event_id: string; pattern: string }>;
  const hit = rows.find((r) => matchesPattern(req.pattern, r.pattern));
  return hit ? getEventByEventId(db, hit.event_id) : undefined;
}

/** Builds the two subscription activities. */
export function createSubscriptionActivities(deps: EventActivityDeps) {
  const { db } = deps;
  return {
    async registerSubscription(req: RegisterSubscriptionRequest): Promise<RegisterSubscriptionResult> {
      const key = await subscriptionKey(db, req);
      const instance = await db(WORKFLOW_INSTANCES).where({ id: req.instanceId }).first('id');
      const { row } = await insertRow(db, {
        subscription_key: key,
        workflow_instance_id: instance ? req.instanceId : null,
        temporal_workflow_id: req.workflowId,
        step_id: req.stepId,
        event_pattern: req.pattern,
        correlation_value: req.correlation ?? null,
        signal_name: 'aosEvent',
        expires_at: req.expiresAt ? new Date(req.expiresAt) : null,
      });
      const pending = await lookBack(db, req, await startedAt(db, deps, req));
      return { subscriptionId: row.id, ...(pending && { pendingEvent: toEnvelope(pending, row.id) }) };
    },

    async closeSubscription(req: CloseSubscriptionRequest): Promise<void> {
      if (req.status === 'matched') {
        if (!req.eventId) throw nonRetryable(FailureType.BadTaskConfig, 'closeSubscription(matched) needs the eventId');
        const key = await db(`${EV}.event_instance_keys`).where({ event_id: req.eventId }).first('id');
        await matchSubscription(db, req.subscriptionId, req.eventId, key?.id);
      } else {
        await closeRow(db, req.subscriptionId, req.status);
      }
    },
  };
}
