/**
 * The event activities (contract: common/contracts/events.ts): what the interpreter calls (`emitEvent`,
 * `registerSubscription`, `closeSubscription`) and what the dispatcher workflow calls (`dispatchPending`).
 * Thin adapters: the logic is in services/events/.
 */
import type { EventActivities } from '../../common/contracts/events';
import { withEngineFailures } from '../engine-failures';
import type { EventActivityDeps } from './deps';
import { createDispatchActivities } from './dispatch';
import { createEmitEventActivity } from './emit-event';
import { createSubscriptionActivities } from './subscriptions';

export type { EventActivityDeps } from './deps';

/** Builds every event activity over its dependencies. */
export function createEventActivities(deps: EventActivityDeps) {
  return {
    // The interpreter retries these without an attempt limit: only an outage may stay retryable.
    ...withEngineFailures(createEmitEventActivity(deps)),
    ...withEngineFailures(createSubscriptionActivities(deps)),
    ...createDispatchActivities(deps),
  } satisfies EventActivities;
}
