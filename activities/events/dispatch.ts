/** `dispatchPending` adapter: one pass of the event dispatcher (services/events/delivery/dispatch.ts). */
import type { DispatchActivities } from '../../common/contracts/events';
import { config as loadConfig } from '../../common/config';
import { FailureType } from '../../common/errors';
import { dispatchPending } from '../../services/events/delivery/dispatch';
import { nonRetryable } from '../tasks/failures';
import type { EventActivityDeps } from './deps';

/** Builds the dispatch activity. */
export function createDispatchActivities(deps: EventActivityDeps): DispatchActivities {
  return {
    async dispatchPending(req) {
      if (!deps.temporal) throw nonRetryable(FailureType.BadTaskConfig, 'event dispatch needs a Temporal client in the activity deps');
      return dispatchPending({ db: deps.db, temporal: deps.temporal, config: deps.config ?? loadConfig() }, req);
    },
  };
}
