/** Contract of the `nextActivation` local activity (activities/turn.ts). Types only: sandbox-safe. */

/**
 * A local activity that does nothing: awaiting it ends the interpreter's current activation (the SDK's
 * deadlock detector times activations) without ending the workflow task, so no server round trip.
 */
export interface TurnActivities {
  nextActivation(): Promise<void>;
}
