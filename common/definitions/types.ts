/**
 * The definition language: the documents stored in `workflow_definitions.definition` and
 * `task_definitions`, and the start input of the interpreter workflow.
 *
 * Sandbox-safe (types only): imported by workflow code, activities, the API and tests.
 * The JSON Schemas in `schema.ts` describe the same shapes; docs/definition-language.md documents them.
 */

/**
 * A duration: ISO-8601 (`PT30S`, `P3D`, `PT1H30M`) or the short form `<n><unit>` with unit
 * ms | s | m | h | d (`500ms`, `10s`, `5m`), or a number of milliseconds.
 */
export type Duration = string | number;

/** A JSON value that may contain `"{% jsonata %}"` expressions anywhere inside strings. */
export type Template = unknown;

/** An expression string `"{% ... %}"` (or a literal of the expected type). */
export type Expression = string;

/** Retry policy of a step or a task definition; unset fields fall back to the next level. */
export interface RetryPolicy {
  /** Total attempts including the first; 1 = no retry; 0 = unlimited. */
  max_attempts?: number;
  initial_interval?: Duration;
  max_interval?: Duration;
  backoff_coefficient?: number;
  /** ApplicationFailure types never retried. */
  non_retryable_errors?: string[];
}

/** Routes a failed step to another step of the same list when the error name matches. */
export interface CatchClause {
  /** Error names (ApplicationFailure type, `Timeout`, `Cancelled`, `ActivityFailure`, ...); `"*"` = any. */
  errors: string[];
  /** Step id in the same step list. */
  next: string;
  /** Where the error object `{ type, message, details }` is stored: `$vars.<into>`; also `$steps.<id>.error`. */
  into?: string;
}

/** Fields every step shares. */
export interface StepBase {
  /** Unique across the whole definition (including nested blocks); `[A-Za-z0-9_-]+`. */
  id: string;
  name?: string;
  description?: string;
  /** Step id in the same list to continue with; default = the following step (or end of list). */
  next?: string;
  /** Step timeout; on expiry the step fails with error name `Timeout`. */
  timeout?: Duration;
  /** For task steps: overrides the task's retry policy. For other steps: retries the whole step. */
  retry?: RetryPolicy;
  catch?: CatchClause[];
}

/** Runs a task definition as an activity. Output: the task result. */
export interface TaskStep extends StepBase {
  type: 'task';
  /** task_definitions.task_id */
  task: string;
  /** Task input; default `$input`. */
  input?: Template;
  /** Store the (optionally mapped) output into `$vars.<name>`. */
  result_var?: string;
  /** Optional mapping of the raw output (`$output` = raw result) before it is recorded. */
  output?: Template;
  /** Activity timeouts over the task definition's; `start_to_close` here wins over `timeout`. */
  timeouts?: TaskTimeouts;
}

/** One branch of a switch: first case whose `when` is truthy wins. */
export interface SwitchCase {
  when: Expression;
  next: string;
}

/** Conditional routing. Output: `{ next }` (the chosen target). */
export interface SwitchStep extends StepBase {
  type: 'switch';
  cases: SwitchCase[];
  /** Target when no case matches; without it, no match continues with the following step. */
  default?: string;
}

/** One branch of a parallel step: its own step list. */
export interface ParallelBranch {
  /** Label, `[A-Za-z0-9_]+`; used in step paths and as output key. */
  id: string;
  steps: Step[];
}

/** Runs branches concurrently and joins all. Output: `{ <branchId>: lastStepOutput }` (or array with `output_mode: "array"`). */
export interface ParallelStep extends StepBase {
  type: 'parallel';
  branches: ParallelBranch[];
  output_mode?: 'object' | 'array';
}

/** Maps a step list over a list. Output: array of each iteration's last step output, in item order. */
export interface ForeachStep extends StepBase {
  type: 'foreach';
  /** Expression yielding an array; `$item`/`$index` are bound in the body. */
  items: Expression | unknown[];
  /** Max iterations running at once; default 10; 0 = unbounded; 1 = sequential. */
  concurrency?: number;
  steps: Step[];
}

/** Waits for a correlated event. Output: the event payload; `$event` = the envelope. */
export interface WaitForEventStep extends StepBase {
  type: 'wait_for_event';
  /** Event name pattern: dot segments, `*` = one segment, `**` = any number. */
  event: string;
  /** Expression for the correlation value the event must carry: its metadata.correlationId (as correlationKey). */
  correlation?: Expression | string;
  /** Target when the timeout elapses; without it, the timeout is an error `Timeout` (catchable). */
  on_timeout?: string;
}

/** Sleeps for a duration or until a timestamp (durable timer). Output: null. */
export interface DelayStep extends StepBase {
  type: 'delay';
  duration?: Duration | Expression;
  /** ISO-8601 timestamp or an expression yielding one. */
  until?: Expression | string;
}

/** Assigns variables: each key of `vars` is evaluated and merged into `$vars`. Output: the new values. */
export interface SetStep extends StepBase {
  type: 'set';
  vars: Record<string, Template>;
}

/** Runs another stored definition as a child workflow. Output: the child's output. */
export interface SubWorkflowStep extends StepBase {
  type: 'sub_workflow';
  /** workflow_definitions.workflow_id of the child. */
  workflow: string;
  /** Pinned version; default = the latest active version at the time the step runs. */
  version?: string;
  /** Child input; default `$input`. */
  input?: Template;
  result_var?: string;
}

/** Publishes an event. Output: `{ eventId }`. */
export interface EmitEventStep extends StepBase {
  type: 'emit_event';
  /** Event name (no wildcards). */
  event: string;
  payload?: Template;
}

/** Ends the workflow successfully. Output: `output` (default: the workflow `output` template or null). */
export interface SucceedStep extends StepBase {
  type: 'succeed';
  output?: Template;
}

/** Ends the workflow with a non-retryable failure of type `error` (default `WorkflowFailed`). */
export interface FailStep extends StepBase {
  type: 'fail';
  error?: string;
  message?: Template;
  details?: Template;
}

/** Any step; discriminated by `type`. */
export type Step =
  | TaskStep
  | SwitchStep
  | ParallelStep
  | ForeachStep
  | WaitForEventStep
  | DelayStep
  | SetStep
  | SubWorkflowStep
  | EmitEventStep
  | SucceedStep
  | FailStep;

/** The step type names. */
export type StepType = Step['type'];

/** Every step type, in documentation order. */
export const STEP_TYPES: readonly StepType[] = [
  'task', 'switch', 'parallel', 'foreach', 'wait_for_event', 'delay', 'set', 'sub_workflow', 'emit_event', 'succeed', 'fail',
];

/** The document stored in `workflow_definitions.definition`. */
export interface WorkflowDefinition {
  workflow_id: string;
  name: string;
  description?: string;
  /** Semver `MAJOR.MINOR.PATCH`. */
  version: string;
  input_schema?: Record<string, unknown>;
  output_schema?: Record<string, unknown>;
  /** Whole-run timeout; on expiry the run fails with error name `Timeout`. */
  timeout?: Duration;
  /** Initial `$vars`. */
  vars?: Record<string, Template>;
  steps: Step[];
  /** Workflow result when the step list ends (not via succeed); default = last step's output. */
  output?: Template;
}

/** Task types the worker's registry knows. */
export type TaskType = 'http' | 'transform' | 'code' | 'noop' | 'echo' | 'integration';

/** Activity timeouts of a task. */
export interface TaskTimeouts {
  start_to_close?: Duration;
  schedule_to_close?: Duration;
  heartbeat?: Duration;
}

/** A task definition as resolved at start (the immutable snapshot the run uses). */
export interface TaskDefinitionSnapshot {
  task_id: string;
  version: string;
  name?: string;
  description?: string;
  type: TaskType;
  config: Record<string, unknown>;
  input_schema?: Record<string, unknown>;
  output_schema?: Record<string, unknown>;
  retry_policy?: RetryPolicy;
  timeouts?: TaskTimeouts;
}

/** What started a run. */
export interface TriggerContext {
  kind: 'api' | 'event' | 'sub_workflow' | 'schedule';
  eventId?: string;
  triggerId?: string;
  parentInstanceId?: string;
  /** sub_workflow: the last event the parent had received when it started the child (the child's event horizon). */
  causeEventId?: string;
}

/** Interpreter behaviour switches (defaults in brackets). */
export interface InterpreterOptions {
  /** Write workflow-level status to workflow_instances via local activities [true]. */
  mirror?: boolean;
  /** Register wait_for_event subscriptions via activities [true]; off = signals only. */
  subscriptions?: boolean;
  /** Continue-as-new when history length exceeds this many events [Temporal's suggestion only]. */
  continueAsNewAfterEvents?: number;
  /** Upsert the AosCurrentStep search attribute at waits [true]. */
  currentStepSearchAttribute?: boolean;
  /**
   * Backoff of the engine's own activities (definition lookup, emit, subscriptions), which retry an unavailable
   * database without an attempt limit [1 s initial, doubling, 30 s at most]. Tests shorten it to outlast the
   * old attempt limit in seconds.
   */
  engineRetry?: { initialIntervalMs?: number; maximumIntervalMs?: number };
  /** Temporal's per-payload limit (config TEMPORAL_PAYLOAD_LIMIT_BYTES) [2 MiB]; startRun sets it when not the default. */
  payloadLimitBytes?: number;
}

/** A delivered event (the `aosEvent` signal payload). */
export interface EventEnvelope {
  eventId: string;
  /** The event's name, e.g. `invoice.reviewed`. */
  pattern: string;
  payload: unknown;
  /** `correlationKey` here (or `correlation_key`) is matched against the step's correlation. */
  metadata?: Record<string, unknown>;
  sequenceNumber?: number;
  subscriptionId?: string;
}

/** State carried across continue-as-new. */
export interface ResumeState {
  /** Index in the top-level step list to continue from. */
  position: number;
  vars: Record<string, unknown>;
  stepOutputs: Record<string, StepRecord>;
  completedSteps: string[];
  mirrorSeq: number;
  /** Events received but not yet consumed. */
  bufferedEvents: EventEnvelope[];
  seenEventIds: string[];
  lastOutput: unknown;
  /** The last consumed event (`$event`). */
  lastEvent?: EventEnvelope;
  /** Absolute workflow deadline (epoch ms) when definition.timeout is set. */
  deadline?: number;
  startedAt: string;
  generation: number;
  /** sub_workflow executions per step path so far (child workflow ids stay unique across continue-as-new). */
  childStarts?: Record<string, number>;
}

/** What is recorded for a finished step: `$steps.<id>`. */
export interface StepRecord {
  output?: unknown;
  error?: StepError;
}

/** The error shape seen by `catch` (`$steps.<id>.error`, `$vars.<into>`). */
export interface StepError {
  type: string;
  message: string;
  details?: unknown;
}

/** Start argument of `interpreterWorkflow`. */
export interface InterpreterInput {
  /** workflow_instances.id (uuid), generated by the starter. */
  instanceId: string;
  /** workflow_definitions.id (row uuid) when known; used by the mirror and `$workflow.definitionRowId`. */
  definitionRowId?: string;
  definition: WorkflowDefinition;
  /** Every task the definition references, resolved at start so replay never needs the db. */
  tasks: Record<string, TaskDefinitionSnapshot>;
  input: unknown;
  correlationKey?: string;
  trigger?: TriggerContext;
  options?: InterpreterOptions;
  /**
   * The starter has mirrored the start itself (startRun: the row was inserted before the start and marked
   * running with the run id after it, at mirror seq {@link STARTER_MIRROR_SEQ}), so the interpreter writes
   * no start marker: one local activity and one history event less per run.
   */
  startMirrored?: boolean;
  /** Set only by continue-as-new. */
  resume?: ResumeState;
}

/** The mirror seq of the starter's "running" write (startRun); the interpreter's own writes come after it. */
export const STARTER_MIRROR_SEQ = 1;

/** Per-step context passed to activities (task_instances rows are keyed by it). */
export interface StepContext {
  instanceId: string;
  workflowId: string;
  runId: string;
  /** definition's workflow_id */
  definitionId: string;
  definitionVersion: string;
  /** workflow_definitions.id when known. */
  definitionRowId?: string;
  stepId: string;
  /** ltree-safe path, labels `[A-Za-z0-9_]`, e.g. `fanout.b1.call`, `each.i3.call`. */
  stepPath: string;
  correlationKey?: string;
  /** `false` when the run has mirroring off: runTask then writes no task_instances rows (absent = on). */
  mirror?: false;
}

/** Live state returned by the `aosState` query. */
export interface InterpreterState {
  status: 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled';
  currentSteps: string[];
  completedSteps: string[];
  variables: Record<string, unknown>;
  stepOutputs?: Record<string, StepRecord>;
}
