/**
 * The event activities: what the interpreter calls (`emitEvent`, `registerSubscription`,
 * `closeSubscription`) and what the delivery workflow calls (`routeEvent`, `deadLetterEvent`,
 * `isSequenceTurn`, `finishSequence`).
 */
import type { EventActivityDeps } from './deps';
import { createDeliveryActivities } from './delivery';
import { createEmitEventActivity } from './emit-event';
import type { StartRun } from './run-starter';
import { createSubscriptionActivities } from './subscriptions';

export type { EventActivityDeps } from './deps';

/** Builds every event activity over its dependencies. */
export function createEventActivities(deps: EventActivityDeps & { startRun?: StartRun }) {
  return {
    ...createEmitEventActivity(deps),
    ...createSubscriptionActivities(deps),
    ...createDeliveryActivities(deps),
  };
}

/** The event activity record (the delivery workflow proxies it with `import type`). */
export type EventActivities = ReturnType<typeof createEventActivities>;
