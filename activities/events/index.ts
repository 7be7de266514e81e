/**
 * The event activities: what the interpreter calls (`emitEvent`, `registerSubscription`,
 * `closeSubscription`) and what the dispatcher workflow calls (`dispatchPending`).
 */
import { withEngineFailures } from '../engine-failures';
import type { EventActivityDeps } from './deps';
import { createDispatchActivities } from './dispatch';
import { createEmitEventActivity } from './emit-event';
import type { StartRun } from './run-starter';
import { createSubscriptionActivities } from './subscriptions';

export type { EventActivityDeps } from './deps';

/** Builds every event activity over its dependencies. */
export function createEventActivities(deps: EventActivityDeps & { startRun?: StartRun }) {
  return {
    // The interpreter retries these without an attempt limit: only an outage may stay retryable.
    ...withEngineFailures(createEmitEventActivity(deps)),
    ...withEngineFailures(createSubscriptionActivities(deps)),
    ...createDispatchActivities(deps),
  };
}

/** The event activity record (the dispatcher workflow proxies it with `import type`). */
export type EventActivities = ReturnType<typeof createEventActivities>;
