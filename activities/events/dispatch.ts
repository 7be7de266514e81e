/** `dispatchPending` adapter: one pass of the event dispatcher (services/events/delivery/dispatch.ts). */
import type { DispatchActivities } from '../../common/contracts/events';
import { dispatchPending } from '../../services/events/delivery/dispatch';
import type { EventActivityDeps } from './deps';

/** Builds the dispatch activity. */
export function createDispatchActivities(deps: EventActivityDeps): DispatchActivities {
  return {
    async dispatchPending(req) {
      return dispatchPending({ db: deps.db, temporal: deps.temporal, config: deps.config }, req);
    },
  };
}
