/**
 * `registerSubscription` / `closeSubscription`: a wait_for_event step's registration in
 * workflow_event_subscriptions, and the look-back (lookback.ts) that hands over an event the run has not received
 * (published before the wait registered, or routed while the run had no open wait), recorded on the row.
 */
import type { Knex } from 'knex';
import type { CloseSubscriptionRequest, RegisterSubscriptionRequest, RegisterSubscriptionResult } from '../../common/definitions/activity-types';
import { FailureType } from '../../common/errors';
import { EV, getEventByEventId } from '../../db/repositories/event-instances';
import {
  closeSubscription as closeRow, getSubscription, lockRegistrationsOf, matchSubscription, recordLookbackEvent, registerSubscription as insertRow,
  WORKFLOW_EVENT_SUBSCRIPTIONS,
} from '../../db/repositories/workflow-event-subscriptions';
import { WORKFLOW_INSTANCES } from '../../db/repositories/workflow-instances';
import { nonRetryable } from '../tasks/failures';
import type { EventActivityDeps } from './deps';
import { toEnvelope } from './envelope';
import { unreceivedEvents, visibleSince } from './lookback';

// Deterministic per wait: the n-th wait of a step in a run. A retried registration finds the same key
// (the previous wait of this step is closed before the next registers), so it never opens a second row.
async function subscriptionKey(db: Knex, req: RegisterSubscriptionRequest): Promise<string> {
  const [{ n }] = await db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ temporal_workflow_id: req.workflowId, step_id: req.stepId }).whereNot({ status: 'open' }).count({ n: '*' });
  return `${req.workflowId}:${req.stepId}:${Number(n)}`.slice(0, 512);
}

/** Builds the two subscription activities. */
export function createSubscriptionActivities(deps: EventActivityDeps) {
  const { db } = deps;
  return {
    async registerSubscription(req: RegisterSubscriptionRequest): Promise<RegisterSubscriptionResult> {
      const key = await subscriptionKey(db, req);
      const instance = await db(WORKFLOW_INSTANCES).where({ id: req.instanceId }).first('id');
      // Committed before the look-back reads: an event the look-back cannot see yet commits later, and its
      // routing then finds this subscription open.
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
      const since = await visibleSince(db, deps.temporal, req);
      const handed = await db.transaction(async (trx) => {
        await lockRegistrationsOf(trx, req.workflowId);
        // A retried registration returns what an earlier attempt handed over (it is recorded as received).
        const current = await getSubscription(trx, row.id);
        if (current?.lookback_event_id) return current.lookback_event_id;
        if (current?.status !== 'open') return undefined;
        const [first] = await unreceivedEvents(trx, { workflowId: req.workflowId, pattern: req.pattern, correlation: req.correlation, since });
        if (first !== undefined) await recordLookbackEvent(trx, row.id, first);
        return first;
      });
      const pending = handed === undefined ? undefined : await getEventByEventId(db, handed);
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
