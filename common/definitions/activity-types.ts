/**
 * Signatures of the activities the interpreter calls. The workflow proxies them by these names;
 * activities/ implements them with exactly these signatures. Types only: sandbox-safe.
 */
import type {
  EventEnvelope,
  StepContext,
  TaskDefinitionSnapshot,
  WorkflowDefinition,
} from './types';

/** Input of `runTask`. */
export interface RunTaskRequest {
  task: TaskDefinitionSnapshot;
  input: unknown;
  ctx: StepContext;
}

/** Input of `resolveDefinition`: pinned version or latest active. */
export interface ResolveDefinitionRequest {
  workflow_id: string;
  version?: string;
}

/** Output of `resolveDefinition`. */
export interface ResolvedDefinition {
  definition: WorkflowDefinition;
  tasks: Record<string, TaskDefinitionSnapshot>;
  definitionRowId: string;
}

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

/** Regular activities; options per step (task) or per profile. */
export interface TaskActivities {
  runTask(req: RunTaskRequest): Promise<unknown>;
  resolveDefinition(req: ResolveDefinitionRequest): Promise<ResolvedDefinition>;
  emitEvent(req: EmitEventRequest): Promise<{ eventId: string }>;
  registerSubscription(req: RegisterSubscriptionRequest): Promise<RegisterSubscriptionResult>;
  closeSubscription(req: CloseSubscriptionRequest): Promise<void>;
}

/** Workflow-level status written to workflow_instances. */
export type MirrorStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';

/** One workflow-level status transition. */
export interface MirrorWorkflowUpdate {
  instanceId: string;
  workflowId: string;
  runId: string;
  /** Monotonic per workflow id (carried across continue-as-new); a lower seq never overwrites a higher. */
  seq: number;
  status: MirrorStatus;
  currentSteps?: string[];
  variables?: Record<string, unknown>;
  output?: unknown;
  error?: { type?: string; message: string; details?: unknown };
  /** Workflow time, ISO-8601. */
  at: string;
  /**
   * When Temporal started the run (the first run of a continue-as-new chain), ISO-8601: the row's started_at.
   * Same clock as `at`, so completed_at is never before it. Absent in updates of runs started by older code.
   */
  startedAt?: string;
  /** Set on the first (running) update of a run so the row can be created if the starter did not. */
  start?: {
    definitionId: string;
    definitionVersion: string;
    definitionRowId?: string;
    input: unknown;
    correlationKey?: string;
    trigger?: { kind: string; eventId?: string; triggerId?: string; parentInstanceId?: string; causeEventId?: string };
  };
}

/**
 * A local activity that does nothing: awaiting it ends the interpreter's current activation (the SDK's
 * deadlock detector times activations) without ending the workflow task, so no server round trip.
 */
export interface TurnActivities {
  nextActivation(): Promise<void>;
}

/** Local activities called only at workflow-level transitions. */
export interface MirrorActivities {
  mirrorWorkflow(update: MirrorWorkflowUpdate): Promise<void>;
}
