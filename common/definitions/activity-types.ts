/**
 * Re-exports of the activity contracts (common/contracts/), and the event activities' contract until it moves to
 * common/contracts/events.ts (TODO #11: helper "events" creates that file; the lead connects it at merge).
 * Types only: sandbox-safe.
 */
import type { DefinitionActivities } from '../contracts/definitions';
import type { MirrorActivities } from '../contracts/mirror';
import type { TaskActivities } from '../contracts/tasks';
import type { TurnActivities } from '../contracts/turn';
import type { EventEnvelope, StepContext } from './types';

export type { ResolveDefinitionRequest, ResolvedDefinition, DefinitionActivities } from '../contracts/definitions';
export type { MirrorStatus, MirrorWorkflowUpdate, MirrorActivities } from '../contracts/mirror';
export type { RunTaskRequest, TaskActivities } from '../contracts/tasks';
export type { TurnActivities } from '../contracts/turn';

/** Input of `emitEvent`. */
export interface EmitEventRequest {
  /** Event name. */
  pattern: string;
  payload: unknown;
  ctx: StepContext;
  /** Deterministic (generated with the workflow's seeded uuid4), so retries are idempotent. */
  eventId: string;
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
export interface EventActivities {
  emitEvent(req: EmitEventRequest): Promise<{ eventId: string }>;
  registerSubscription(req: RegisterSubscriptionRequest): Promise<RegisterSubscriptionResult>;
  closeSubscription(req: CloseSubscriptionRequest): Promise<void>;
}

/** The engine's own regular activities (fixed retry profile, workflows/activities.ts engineActivities). */
export type EngineActivities = DefinitionActivities & EventActivities;

/** Every activity the interpreter calls by name; the worker's composed record satisfies it (activities/index.ts). */
export type InterpreterActivities = TaskActivities & EngineActivities & MirrorActivities & TurnActivities;
