/** Routing to waiting workflows: open subscriptions matching the event, each signalled with `aosEvent`. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { matchesPattern } from '../../common/events/pattern';
import type { RoutingResult } from '../../common/events/delivery';
import type { StoredEvent } from '../../db/repositories/events/event-store';
import { closeSubscription, WORKFLOW_EVENT_SUBSCRIPTIONS, type SubscriptionRow } from '../../db/repositories/workflow-event-subscriptions';
import { aosEventSignal } from '../../workflows/api';
import { correlationOf, toEnvelope } from './envelope';

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

/** Signals every waiting workflow; a workflow that is gone has its subscription cancelled. */
export async function routeToSubscriptions(db: Knex, temporal: Client, event: StoredEvent, out: RoutingResult): Promise<void> {
  const subs = await findSubscriptions(db, event.pattern, correlationOf(event));
  // One signal per workflow even when several of its waits match: the interpreter buffers by eventId.
  const byWorkflow = new Map<string, SubscriptionRow>();
  for (const s of subs) if (!byWorkflow.has(s.temporal_workflow_id)) byWorkflow.set(s.temporal_workflow_id, s);
  await Promise.all([...byWorkflow.values()].map(async (s) => {
    try {
      await temporal.workflow.getHandle(s.temporal_workflow_id).signal(aosEventSignal, toEnvelope(event, s.id));
      out.signalled.push({ workflowId: s.temporal_workflow_id, subscriptionId: s.id });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await closeSubscription(db, s.id, 'cancelled');
    }
  }));
}
