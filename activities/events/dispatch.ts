/** `dispatchPending` adapter: one pass of the event dispatcher (services/events/delivery/dispatch.ts). */
import { Context } from '@temporalio/activity';
import type { DispatchActivities } from '../../common/contracts/events';
import { dispatchPending } from '../../services/events/delivery/dispatch';
import type { EventActivityDeps } from './deps';

/** Builds the dispatch activity. */
export function createDispatchActivities(deps: EventActivityDeps): DispatchActivities {
  return {
    async dispatchPending(req) {
      // A local activity: its cancellation (the 2 min timeout, the worker shutting down) ends the leases' renewal.
      const signal = Context.current().cancellationSignal;
      return dispatchPending({ db: deps.db, temporal: deps.temporal, config: deps.config }, req, signal);
    },
  };
}
