/**
 * Hands stored events to durable delivery: starts `deliverEventWorkflow` with the deterministic id
 * `evt:<eventId>`, so any number of hand-offs (API, sweeper, redrive) start at most one live delivery.
 * Runs after the commit and off the request path; whatever it fails to start the sweeper starts later.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import type { DeliveryInput } from '../common/events/delivery';

/** One event to hand over. */
export interface HandoffItem {
  eventId: string;
  sequenceKey: string | null;
  sequenceNumber: number | null;
}

/** The delivery workflow's id for an event. */
export const deliveryWorkflowId = (eventId: string): string => `evt:${eventId}`;

/** Builds the delivery workflow input from the event and the retry settings. */
export function deliveryInput(config: Config, item: HandoffItem): DeliveryInput {
  return {
    eventId: item.eventId,
    ...(item.sequenceKey && item.sequenceNumber ? { sequenceKey: item.sequenceKey, sequenceNumber: item.sequenceNumber } : {}),
    maxAttempts: config.eventDeliveryMaxAttempts,
    initialIntervalMs: config.eventDeliveryInitialIntervalMs,
    maxIntervalMs: config.eventDeliveryMaxIntervalMs,
  };
}

/** Starts the delivery workflow; true when started now, false when one was already running. */
export async function startDelivery(temporal: Client, config: Config, item: HandoffItem): Promise<boolean> {
  try {
    await temporal.workflow.start('deliverEventWorkflow', {
      workflowId: deliveryWorkflowId(item.eventId),
      taskQueue: config.taskQueue,
      args: [deliveryInput(config, item)],
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

const MAX_IN_FLIGHT = 64;
const MAX_QUEUED = 20_000;

/** A bounded background queue of hand-offs per Temporal client (overflow is left to the sweeper). */
class HandoffQueue {
  private readonly queue: HandoffItem[] = [];
  private inFlight = 0;
  constructor(private readonly temporal: Client, private readonly config: Config, private readonly logger?: Logger) {}

  /** Hand-offs queued or in flight. */
  get backlog(): number {
    return this.queue.length + this.inFlight;
  }

  submit(item: HandoffItem): void {
    if (this.queue.length >= MAX_QUEUED) return;
    this.queue.push(item);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.inFlight++;
      startDelivery(this.temporal, this.config, item)
        .catch((err) => this.logger?.warn({ err, eventId: item.eventId }, 'event hand-off failed; the sweeper will retry'))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

const queues = new WeakMap<Client, HandoffQueue>();

/** Queues the hand-off of a just-committed event without waiting for Temporal. */
export function handOff(temporal: Client, config: Config, item: HandoffItem, logger?: Logger): void {
  let q = queues.get(temporal);
  if (!q) queues.set(temporal, (q = new HandoffQueue(temporal, config, logger)));
  q.submit(item);
}

/** Hand-offs of this client not yet finished (queued or in flight): lets a benchmark wait for them. */
export function handoffBacklog(temporal: Client): number {
  return queues.get(temporal)?.backlog ?? 0;
}
