/**
 * A wait_for_event step's registration in workflow_event_subscriptions, and the look-back (routing/lookback.ts)
 * that hands over an event the run has not received (published before the wait registered, or routed while the
 * run had no open wait), recorded on the row; and the closing of a wait (matched, expired, cancelled).
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type {
  CloseSubscriptionRequest,
  RegisterSubscriptionRequest,
  RegisterSubscriptionResult,
} from '../../common/contracts/events';
import { FailureType } from '../../common/errors';
import { getEventByEventId, getEventKeyId } from '../../db/repositories/event-instances';
import { runRowExists } from '../../db/repositories/event-runs';
import {
  closeSubscription as closeRow,
  countClosedWaits,
  getSubscription,
  lockRegistrationsOf,
  matchSubscription,
  recordLookbackEvent,
  registerSubscription as insertRow,
} from '../../db/repositories/workflow-event-subscriptions';
import { nonRetryable } from '../../common/errors/failures';
import { aosEventSignal } from '../../workflows/api';
import { toEnvelope } from './routing/envelope';
import { unreceivedEvents, visibleSince } from './routing/lookback';

// Deterministic per wait: the n-th wait of a step in a run. A retried registration finds the same key
// (the previous wait of this step is closed before the next registers), so it never opens a second row.
async function subscriptionKey(db: Knex, req: RegisterSubscriptionRequest): Promise<string> {
  const n = await countClosedWaits(db, req.workflowId, req.stepId);
  return `${req.workflowId}:${req.stepId}:${n}`.slice(0, 512);
}

/** Registers a wait and answers with the event the look-back hands it, if any. Idempotent per wait. */
export async function registerSubscription(
  deps: { db: Knex; temporal?: Client },
  req: RegisterSubscriptionRequest,
): Promise<RegisterSubscriptionResult> {
  const { db } = deps;
  const key = await subscriptionKey(db, req);
  const instanceKnown = await runRowExists(db, req.instanceId);
  // Committed before the look-back reads: an event the look-back cannot see yet commits later, and its
  // routing then finds this subscription open.
  const { row } = await insertRow(db, {
    subscription_key: key,
    workflow_instance_id: instanceKnown ? req.instanceId : null,
    temporal_workflow_id: req.workflowId,
    step_id: req.stepId,
    event_pattern: req.pattern,
    correlation_value: req.correlation ?? null,
    signal_name: aosEventSignal.name,
    expires_at: req.expiresAt ? new Date(req.expiresAt) : null,
  });
  const since = await visibleSince(db, deps.temporal, req);
  const handed = await db.transaction(async (trx) => {
    await lockRegistrationsOf(trx, req.workflowId);
    // A retried registration returns what an earlier attempt handed over (it is recorded as received).
    const current = await getSubscription(trx, row.id);
    if (current?.lookback_event_id) return current.lookback_event_id;
    if (current?.status !== 'open') return undefined;
    const [first] = await unreceivedEvents(trx, {
      workflowId: req.workflowId,
      pattern: req.pattern,
      correlation: req.correlation,
      since,
    });
    if (first !== undefined) await recordLookbackEvent(trx, row.id, first);
    return first;
  });
  const pending = handed === undefined ? undefined : await getEventByEventId(db, handed);
  return { subscriptionId: row.id, ...(pending && { pendingEvent: toEnvelope(pending, row.id) }) };
}

/** Closes a wait: matched by an event (which must be named), expired or cancelled. */
export async function closeSubscription(db: Knex, req: CloseSubscriptionRequest): Promise<void> {
  if (req.status === 'matched') {
    if (!req.eventId) throw nonRetryable(FailureType.BadTaskConfig, 'closeSubscription(matched) needs the eventId');
    await matchSubscription(db, req.subscriptionId, req.eventId, await getEventKeyId(db, req.eventId));
  } else {
    await closeRow(db, req.subscriptionId, req.status);
  }
}
