/** `registerSubscription` / `closeSubscription` adapters over the wait registration service. */
import type { InterpreterEventActivities } from '../../common/contracts/events';
import { closeSubscription, registerSubscription } from '../../services/events/subscriptions';
import type { EventActivityDeps } from './deps';

/** Builds the two subscription activities. */
export function createSubscriptionActivities(
  deps: EventActivityDeps,
): Pick<InterpreterEventActivities, 'registerSubscription' | 'closeSubscription'> {
  return {
    registerSubscription: (req) => registerSubscription(deps, req),
    closeSubscription: (req) => closeSubscription(deps.db, req),
  };
}
