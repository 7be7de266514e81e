/** Routing to waiting workflows: open subscriptions matching the event, each signalled with `aosEvent`. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { matchesPattern } from '../../../common/events/pattern';
import type { RoutingResult } from '../../../common/events/delivery';
import { getEventByEventId, type StoredEvent } from '../../../db/repositories/event-instances';
import { recordSignalled } from '../../../db/repositories/event-queue-state';
import { runsStartedByEvent } from '../../../db/repositories/event-runs';
import {
  closeSubscription,
  findSubscriptionCandidates,
  type SubscriptionRow,
} from '../../../db/repositories/workflow-event-subscriptions';
import { aosEventSignal } from '../../../workflows/api';
import { correlationOf, toEnvelope } from './envelope';
import { unreceivedEvents, visibleSince } from './lookback';

/**
 * Open subscriptions for (pattern, correlation): the exact pattern through the routing index, wildcard
 * patterns through their partial index, then the `*`/`**` matcher. A subscription without a correlation
 * value accepts any correlation.
 */
export async function findSubscriptions(
  db: Knex,
  pattern: string,
  correlation: string | null,
): Promise<SubscriptionRow[]> {
  const { exact, wildcard } = await findSubscriptionCandidates(db, pattern, correlation);
  return [...exact, ...wildcard.filter((s) => matchesPattern(s.event_pattern, pattern))];
}

/**
 * Earlier events of the same sequence that this waiting run was never signalled (routed while it had no open
 * wait; or handed over by a look-back whose answer may still be on its way): they are signalled first, so the
 * run's buffer sees the sequence in order even when its own look-back result and this signal race each other.
 */
async function catchUp(db: Knex, temporal: Client, event: StoredEvent, s: SubscriptionRow): Promise<StoredEvent[]> {
  if (event.sequenceKey === null || event.sequenceNumber === null || event.sequenceNumber <= 1) return [];
  const since = await visibleSince(db, temporal, {
    instanceId: s.workflow_instance_id,
    workflowId: s.temporal_workflow_id,
  });
  const ids = await unreceivedEvents(db, {
    workflowId: s.temporal_workflow_id,
    pattern: s.event_pattern,
    correlation: s.correlation_value,
    since,
    below: { sequenceKey: event.sequenceKey, sequenceNumber: event.sequenceNumber },
    handedAsReceived: false,
  });
  const events = await Promise.all(ids.map((id) => getEventByEventId(db, id)));
  return events.filter((e): e is StoredEvent => e !== undefined);
}

/** Signals every waiting workflow; a workflow that is gone has its subscription cancelled. */
export async function routeToSubscriptions(
  db: Knex,
  temporal: Client,
  event: StoredEvent,
  out: RoutingResult,
): Promise<void> {
  const subs = await findSubscriptions(db, event.pattern, correlationOf(event));
  // One signal per workflow even when several of its waits match: the interpreter buffers by eventId.
  const byWorkflow = new Map<string, SubscriptionRow>();
  for (const s of subs) if (!byWorkflow.has(s.temporal_workflow_id)) byWorkflow.set(s.temporal_workflow_id, s);
  // A run never receives the event that started it (a trigger's event is the run's input, not an answer to its waits).
  if (byWorkflow.size > 0) {
    for (const id of await runsStartedByEvent(db, [...byWorkflow.keys()], event.eventId)) byWorkflow.delete(id);
  }
  await Promise.all(
    [...byWorkflow.values()].map(async (s) => {
      const handle = temporal.workflow.getHandle(s.temporal_workflow_id);
      try {
        for (const e of [...(await catchUp(db, temporal, event, s)), event]) {
          await handle.signal(aosEventSignal, toEnvelope(e, s.id));
          // Recorded after the signal succeeded: a later wait's look-back then skips it (it is in the run's
          // buffer or consumed) and never skips an event that was not signalled.
          await recordSignalled(db, e, s.temporal_workflow_id);
        }
        out.signalled.push({ workflowId: s.temporal_workflow_id, subscriptionId: s.id });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        await closeSubscription(db, s.id, 'cancelled');
      }
    }),
  );
}
