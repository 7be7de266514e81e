/** The interpreter's `nextActivation` local activity (common/contracts/turn.ts): a no-op by design. */
import type { TurnActivities } from '../common/contracts/turn';

/** Creates the turn activity: resolving is all it does. */
export function createTurnActivities(): TurnActivities {
  return { nextActivation: async () => {} };
}
