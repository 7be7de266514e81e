/**
 * Recorded runs of `deliverEventWorkflow` for the replay fixtures: delivered at once, retried then
 * dead-lettered, and a sequenced delivery that waits for its turn. The event activities are local fakes
 * (no database): what matters for replay is the command sequence the workflow produces.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryInput, RoutingResult } from '../../common/events/delivery';
import { SEQUENCE_TURN_SIGNAL } from '../../common/events/delivery';

const ROUTED: RoutingResult = { started: [{ triggerId: 't-1', workflowId: 'trg:t-1:evt-ok', started: true }], cancelled: [], signalled: [], skipped: [] };

/** One recorded delivery: its input, and what the recorder does while it runs. */
export interface DeliveryScenario {
  input: DeliveryInput;
  /** Sent after the start (e.g. the predecessor's turn signal). */
  drive?: (client: Client, workflowId: string) => Promise<void>;
}

const retry = { maxAttempts: 3, initialIntervalMs: 10, maxIntervalMs: 50 };

/** Delivery scenarios by fixture name. */
export const DELIVERY_SCENARIOS: Record<string, DeliveryScenario> = {
  'delivery-success': { input: { eventId: 'evt-ok', ...retry } },
  'delivery-dead-lettered': { input: { eventId: 'evt-poison', ...retry } },
  'delivery-sequence': {
    input: { eventId: 'evt-seq-2', sequenceKey: 'order-1', sequenceNumber: 2, ...retry },
    drive: async (client, workflowId) => {
      // Signal only once the delivery is parked on its turn (re-check timer started), for a clean history.
      const handle = client.workflow.getHandle(workflowId);
      while (!(await handle.fetchHistory()).events?.some((e) => e.timerStartedEventAttributes)) await new Promise((r) => setTimeout(r, 100));
      turnTaken.add('order-1');
      await handle.signal(SEQUENCE_TURN_SIGNAL);
    },
  },
};

// The sequence's predecessor is "delivered" only once the recorder signals: the first check says wait.
const turnTaken = new Set<string>();

/** Fake event activities the delivery workflow calls (routing fails every attempt for `evt-poison`). */
export const deliveryActivities = {
  async routeEvent(req: { eventId: string }): Promise<RoutingResult> {
    if (req.eventId === 'evt-poison') throw new Error('trigger target unavailable');
    return ROUTED;
  },
  async deadLetterEvent(req: { eventId: string }): Promise<void> {
    if (!req.eventId) throw ApplicationFailure.nonRetryable('no event id');
  },
  async isSequenceTurn(req: { sequenceKey: string }): Promise<boolean> {
    return turnTaken.has(req.sequenceKey);
  },
  async finishSequence(): Promise<void> {},
};
