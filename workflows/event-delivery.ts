/**
 * `deliverEventWorkflow` (id `evt:<eventId>`): delivers one stored event durably. Events of a sequence
 * first wait for their turn (the previous number delivered or dead-lettered); routing then runs as a
 * local activity with retries and backoff, and a delivery that exhausts them is dead-lettered.
 */
import { ActivityFailure, ApplicationFailure, condition, defineSignal, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { EventActivities } from '../activities/events';
import { SEQUENCE_TURN_SIGNAL, type DeliveryInput, type RoutingResult } from '../common/events/delivery';

/** Wakes a delivery waiting for its sequence turn. */
export const sequenceTurnSignal = defineSignal(SEQUENCE_TURN_SIGNAL);

// Bookkeeping must not be lost: retried until the database answers.
const book = proxyLocalActivities<EventActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

// If the wake-up signal is ever missed, the turn is re-checked at this pace.
const TURN_RECHECK = '5s';

/** Delivers the event; returns what routing did, or null when it was dead-lettered. */
export async function deliverEventWorkflow(input: DeliveryInput): Promise<RoutingResult | null> {
  let woken = false;
  setHandler(sequenceTurnSignal, () => void (woken = true));
  const seq = input.sequenceKey && input.sequenceNumber ? { sequenceKey: input.sequenceKey, sequenceNumber: input.sequenceNumber } : undefined;
  if (seq && seq.sequenceNumber > 1) {
    while (!(await book.isSequenceTurn(seq))) {
      woken = false;
      await condition(() => woken, TURN_RECHECK);
    }
  }
  // Local activity: routing runs in the same worker task as this workflow, saving a task round trip per event.
  const { routeEvent } = proxyLocalActivities<EventActivities>({
    startToCloseTimeout: '60s',
    retry: { maximumAttempts: input.maxAttempts, initialInterval: input.initialIntervalMs, maximumInterval: input.maxIntervalMs, backoffCoefficient: 2 },
  });
  let result: RoutingResult | null = null;
  try {
    result = await routeEvent({ eventId: input.eventId, maxAttempts: input.maxAttempts, initialIntervalMs: input.initialIntervalMs, maxIntervalMs: input.maxIntervalMs });
  } catch (err) {
    const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
    const error = { type: cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : 'Error', message: (cause as Error).message };
    await book.deadLetterEvent({ eventId: input.eventId, error, attempts: input.maxAttempts });
  }
  // A dead letter passes the turn too: one poisoned event must not block its sequence forever.
  if (seq) await book.finishSequence(seq);
  return result;
}
