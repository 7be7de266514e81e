/**
 * Contract of the event activities (activities/events): what the interpreter calls for emit_event and
 * wait_for_event steps, and the event dispatcher's pass. Types only: sandbox-safe.
 */
import type { EventEnvelope, StepContext } from '../definitions/types';
import type { DispatchRequest, DispatchResult } from '../events/delivery';

export type { DispatchRequest, DispatchResult } from '../events/delivery';

/** Input of `emitEvent`. */
export interface EmitEventRequest {
  /** Event name. */
  pattern: string;
  payload: unknown;
  ctx: StepContext;
  /** Deterministic (generated with the workflow's seeded uuid4), so retries are idempotent. */
  eventId: string;
  /** The step's `source` fields (evaluated); each replaces the default's. */
  source?: { type?: string; id?: string; name?: string };
}

/**
 * Output of `emitEvent`: the stored event (as `GET /events/{id}` shows it). Histories recorded before #16 hold
 * `{ eventId }` only.
 */
export interface EmitEventResult {
  eventId: string;
  pattern?: string;
  version?: string | null;
  source?: { type: string; id?: string; name?: string } | null;
  timestamp?: string;
  payload?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  sequenceKey?: string | null;
  sequenceNumber?: number | null;
  publishedBy?: string | null;
}

/** Input of `registerSubscription`. */
export interface RegisterSubscriptionRequest {
  instanceId: string;
  workflowId: string;
  stepId: string;
  pattern: string;
  correlation?: string;
  /** ISO timestamp (workflow time + step timeout). */
  expiresAt?: string;
}

/** Output of `registerSubscription`: an already-published matching event completes the wait at once. */
export interface RegisterSubscriptionResult {
  subscriptionId: string;
  pendingEvent?: EventEnvelope;
}

/** Input of `closeSubscription`. */
export interface CloseSubscriptionRequest {
  subscriptionId: string;
  status: 'matched' | 'expired' | 'cancelled';
  eventId?: string;
}

/** The event activities the interpreter calls (emit_event and wait_for_event steps); engine activities. */
export interface InterpreterEventActivities {
  emitEvent(req: EmitEventRequest): Promise<EmitEventResult>;
  registerSubscription(req: RegisterSubscriptionRequest): Promise<RegisterSubscriptionResult>;
  closeSubscription(req: CloseSubscriptionRequest): Promise<void>;
}

/** The local activity of `eventDispatcherWorkflow`: one delivery pass. */
export interface DispatchActivities {
  dispatchPending(req: DispatchRequest): Promise<DispatchResult>;
}

/** Every event activity the worker registers. */
export interface EventActivities extends InterpreterEventActivities, DispatchActivities {}
