/** The interpreter's `nextActivation` local activity (common/definitions/activity-types.ts): a no-op by design. */
import type { TurnActivities } from '../common/definitions/activity-types';

/** Creates the turn activity: resolving is all it does. */
export function createTurnActivities(): TurnActivities {
  return { nextActivation: async () => {} };
}
