/** Routing to waiting workflows: open subscriptions matching the event, each signalled with `aosEvent`. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { matchesPattern } from '../../common/events/pattern';
import type { RoutingResult } from '../../common/events/delivery';
import { EV, getEventByEventId, type StoredEvent } from '../../db/repositories/event-instances';
import { closeSubscription, WORKFLOW_EVENT_SUBSCRIPTIONS, type SubscriptionRow } from '../../db/repositories/workflow-event-subscriptions';
import { WORKFLOW_INSTANCES } from '../../db/repositories/workflow-instances';
import { aosEventSignal } from '../../workflows/api';
import { correlationOf, toEnvelope } from './envelope';
import { unreceivedEvents, visibleSince } from './lookback';

/**
 * Open subscriptions for (pattern, correlation): the exact pattern through the routing index, wildcard
 * patterns through their partial index, then the `*`/`**` matcher. A subscription without a correlation
 * value accepts any correlation.
 */
export async function findSubscriptions(db: Knex, pattern: string, correlation: string | null): Promise<SubscriptionRow[]> {
  const corr = (q: Knex.QueryBuilder) => (correlation === null
    ? q.whereNull('correlation_value')
    : q.where((w) => w.where('correlation_value', correlation).orWhereNull('correlation_value')));
  const exact = corr(db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ status: 'open', event_pattern: pattern }));
  const wild = corr(db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ status: 'open' }).where('event_pattern', 'like', '%*%'));
  const [a, b] = await Promise.all([exact, wild]) as [SubscriptionRow[], SubscriptionRow[]];
  return [...a, ...b.filter((s) => matchesPattern(s.event_pattern, pattern))];
}

/**
 * Records that the workflow received the event (a delivery row with the workflow id as consumer), after the
 * signal succeeded: a later wait's look-back skips it (it is in the run's buffer or consumed) and never
 * skips an event that was not signalled.
 */
async function recordSignalled(db: Knex, event: StoredEvent, workflowId: string): Promise<void> {
  await db.raw(`INSERT INTO ${EV}.event_queue_state (event_instance_id, event_id, consumer, status, attempts, delivered_at, sequence_key, sequence_number)
    VALUES (?, ?, ?, 'delivered', 1, now(), ?, ?) ON CONFLICT DO NOTHING`, [event.id, event.eventId, workflowId, event.sequenceKey, event.sequenceNumber]);
}

/**
 * Earlier events of the same sequence that this waiting run was never signalled (routed while it had no open
 * wait; or handed over by a look-back whose answer may still be on its way): they are signalled first, so the
 * run's buffer sees the sequence in order even when its own look-back result and this signal race each other.
 */
async function catchUp(db: Knex, temporal: Client, event: StoredEvent, s: SubscriptionRow): Promise<StoredEvent[]> {
  if (event.sequenceKey === null || event.sequenceNumber === null || event.sequenceNumber <= 1) return [];
  const since = await visibleSince(db, temporal, { instanceId: s.workflow_instance_id, workflowId: s.temporal_workflow_id });
  const ids = await unreceivedEvents(db, {
    workflowId: s.temporal_workflow_id, pattern: s.event_pattern, correlation: s.correlation_value, since,
    below: { sequenceKey: event.sequenceKey, sequenceNumber: event.sequenceNumber }, handedAsReceived: false,
  });
  const events = await Promise.all(ids.map((id) => getEventByEventId(db, id)));
  return events.filter((e): e is StoredEvent => e !== undefined);
}

/** Signals every waiting workflow; a workflow that is gone has its subscription cancelled. */
export async function routeToSubscriptions(db: Knex, temporal: Client, event: StoredEvent, out: RoutingResult): Promise<void> {
  const subs = await findSubscriptions(db, event.pattern, correlationOf(event));
  // One signal per workflow even when several of its waits match: the interpreter buffers by eventId.
  const byWorkflow = new Map<string, SubscriptionRow>();
  for (const s of subs) if (!byWorkflow.has(s.temporal_workflow_id)) byWorkflow.set(s.temporal_workflow_id, s);
  // A run never receives the event that started it (a trigger's event is the run's input, not an answer to its waits).
  if (byWorkflow.size > 0) {
    const startedByThis = await db(WORKFLOW_INSTANCES).whereIn('temporal_workflow_id', [...byWorkflow.keys()])
      .whereRaw(`"trigger"->>'eventId' = ?`, [event.eventId]).pluck('temporal_workflow_id');
    for (const id of startedByThis as string[]) byWorkflow.delete(id);
  }
  await Promise.all([...byWorkflow.values()].map(async (s) => {
    const handle = temporal.workflow.getHandle(s.temporal_workflow_id);
    try {
      for (const e of [...(await catchUp(db, temporal, event, s)), event]) {
        await handle.signal(aosEventSignal, toEnvelope(e, s.id));
        await recordSignalled(db, e, s.temporal_workflow_id);
      }
      out.signalled.push({ workflowId: s.temporal_workflow_id, subscriptionId: s.id });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await closeSubscription(db, s.id, 'cancelled');
    }
  }));
}
