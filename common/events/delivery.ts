/** Shared shapes of event delivery (sandbox-safe: types only). */

/** Start argument of `deliverEventWorkflow`. */
export interface DeliveryInput {
  eventId: string;
  /** Set for events of a sequence: delivery waits until `sequenceNumber - 1` has been delivered. */
  sequenceKey?: string;
  sequenceNumber?: number;
  maxAttempts: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

/** What routing one event did (the routing activity's result, kept in the workflow history). */
export interface RoutingResult {
  started: Array<{ triggerId: string; workflowId: string; started: boolean }>;
  cancelled: Array<{ triggerId: string; workflowId: string }>;
  signalled: Array<{ workflowId: string; subscriptionId?: string; triggerId?: string }>;
  skipped: Array<{ triggerId: string; reason: string }>;
}

/** Signal that tells a waiting sequenced delivery its predecessor is done. */
export const SEQUENCE_TURN_SIGNAL = 'aosSequenceTurn';
