/**
 * The definition language: the documents stored in `workflow_definitions.definition` and
 * `task_definitions`, and the start input of the interpreter workflow.
 *
 * The definition documents' types are derived from their JSON Schemas (`schema.ts`, TypeBox `Static`); the
 * run-time shapes (interpreter input and state, events, step context) are declared here.
 * Sandbox-safe: `schema.ts` is imported for its types only (erased), the enumerations come from `kinds.ts`.
 * docs/definition-language.md documents the language.
 */

import type { Static } from '@sinclair/typebox';
import type { StepType } from './kinds';
import type {
  CatchClauseSchema,
  OnFailureSchema,
  RunConcurrencySchema,
  TaskLimitsSchema,
  DurationSchema,
  RetryPolicySchema,
  StepSchema,
  TaskTimeoutsSchema,
  taskDefinitionSchema,
  workflowDefinitionSchema,
} from './schema';

export {
  MANUAL_TASK_TYPE,
  STEP_TYPES,
  TASK_DEFINITION_TYPES,
  TASK_TYPES,
  type StepType,
  type TaskDefinitionType,
  type TaskType,
} from './kinds';

/** A duration: ISO-8601 (`PT30S`), `<n>ms|s|m|h|d` (`10s`), or a number of milliseconds. */
export type Duration = Static<typeof DurationSchema>;

/** A JSON value that may contain `"{% jsonata %}"` expressions anywhere inside strings. */
export type Template = unknown;

/** An expression string `"{% ... %}"` (or a literal of the expected type). */
export type Expression = string;

/** Retry policy of a step or a task definition; unset fields fall back to the next level. */
export type RetryPolicy = Static<typeof RetryPolicySchema>;

/** Routes a failed step to another step of the same list when the error name matches. */
export type CatchClause = Static<typeof CatchClauseSchema>;

/** Any step; discriminated by `type`. */
export type Step = Static<typeof StepSchema>;

/** The step of type `T`. */
type StepOf<T extends StepType> = Extract<Step, { type: T }>;

/** Fields every step shares. */
export type StepBase = Pick<Step, 'id' | 'name' | 'description' | 'next' | 'timeout' | 'retry' | 'catch'>;

/** Runs a task definition as an activity. Output: the task result. */
export type TaskStep = StepOf<'task'>;
/** Conditional routing. Output: `{ next }` (the chosen target). */
export type SwitchStep = StepOf<'switch'>;
/** One branch of a switch: first case whose `when` is truthy wins. */
export type SwitchCase = SwitchStep['cases'][number];
/** Runs branches concurrently and joins all. Output: `{ <branchId>: lastStepOutput }` (or an array). */
export type ParallelStep = StepOf<'parallel'>;
/** One branch of a parallel step: its own step list. */
export type ParallelBranch = ParallelStep['branches'][number];
/** Maps a step list over a list. Output: array of each iteration's last step output, in item order. */
export type ForeachStep = StepOf<'foreach'>;
/** Waits for a correlated event. Output: the event payload; `$event` = the envelope. */
export type WaitForEventStep = StepOf<'wait_for_event'>;
/** Sleeps for a duration or until a timestamp (durable timer). Output: null. */
export type DelayStep = StepOf<'delay'>;
/** Assigns variables: each key of `vars` is evaluated and merged into `$vars`. Output: the new values. */
export type SetStep = StepOf<'set'>;
/** Runs another stored definition as a child workflow. Output: the child's output. */
export type SubWorkflowStep = StepOf<'sub_workflow'>;
/** Publishes an event. Output: `{ eventId }`. */
export type EmitEventStep = StepOf<'emit_event'>;
/** Waits for a person to submit a form. Output: `{ action, data, submitted_by, submitted_at, approvals }`. */
export type HumanTaskStep = StepOf<'human_task'>;
/** One escalation rule of a human_task step. */
export type HumanTaskEscalation = NonNullable<HumanTaskStep['escalations']>[number];
/** Ends the workflow successfully. Output: `output` (default: the workflow `output` template or null). */
export type SucceedStep = StepOf<'succeed'>;
/** Ends the workflow with a non-retryable failure of type `error` (default `WorkflowFailed`). */
export type FailStep = StepOf<'fail'>;

/** A workflow definition's limit of open runs (per key) and what a start does when it is reached. */
export type RunConcurrency = Static<typeof RunConcurrencySchema>;
/** What runs once when a run fails for good. */
export type OnFailure = Static<typeof OnFailureSchema>;
/** A task definition's rate and concurrency limits across all workers. */
export type TaskLimits = Static<typeof TaskLimitsSchema>;

/** The document stored in `workflow_definitions.definition`. */
export type WorkflowDefinition = Static<typeof workflowDefinitionSchema>;

/** Activity timeouts of a task. */
export type TaskTimeouts = Static<typeof TaskTimeoutsSchema>;

/** A task definition as resolved at start (the immutable snapshot the run uses). */
export type TaskDefinitionSnapshot = Static<typeof taskDefinitionSchema>;

/** What started a run. */
export interface TriggerContext {
  kind: 'api' | 'event' | 'sub_workflow' | 'schedule' | 'on_failure';
  eventId?: string;
  triggerId?: string;
  parentInstanceId?: string;
  /** sub_workflow: the last event the parent had received when it started the child (the child's event horizon). */
  causeEventId?: string;
  /** Username of the caller who started the run (API start) or published its event, when known (human tasks' self-approval rule). */
  startedBy?: string;
  /**
   * event: the W3C traceparent the run was started in (its `event.route` span, in the event's trace), so the
   * run's place in the trace is findable from its row.
   */
  traceparent?: string;
  /** schedule: the schedule's business id (workflow_schedules.schedule_id). */
  scheduleId?: string;
  /** schedule: the time the schedule's action was due (ISO 8601; jitter included, as Temporal scheduled it). */
  scheduledTime?: string;
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
  /**
   * The compressed clock of test runs (#14): every duration of the definition (delays, wait, step and workflow
   * timeouts, retry intervals, human-task due times and escalations) runs this many times faster [1]. Recorded
   * in the run's input, so its history replays with the same timers.
   */
  timeScale?: number;
  /** Record the steps in the order they start and the switch branches taken, for the aosState query [false]. */
  recordTrail?: boolean;
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
  /** The trail so far, when options.recordTrail is on. */
  trail?: RunTrail;
  /** Paused by an operator when it continued as new: the new run stays paused. */
  paused?: boolean;
}

/**
 * A nested step that finished inside the top-level step in progress (redrive reuses it instead of running it
 * again), keyed `<step path>#<occurrence>`: the occurrence counts the executions of that path within the
 * top-level step, so a loop through `next` matches execution by execution.
 */
export interface JournalEntry {
  record: StepRecord;
  /** The next step it chose (switch, catch, on_timeout). */
  next?: string;
  /** A succeed step ended its list. */
  end?: boolean;
}

/** What a redriven run begins with: the failed run's state at its top-level step in progress. */
export interface RedriveStart extends Pick<
  ResumeState,
  | 'position'
  | 'vars'
  | 'stepOutputs'
  | 'completedSteps'
  | 'bufferedEvents'
  | 'seenEventIds'
  | 'lastOutput'
  | 'lastEvent'
> {
  /** The finished nested steps of the step at `position`: their recorded results stand in for running them. */
  reuse: Record<string, JournalEntry>;
}

/** The `aosRedriveState` query's answer: what a redrive of this run takes over (`position` null = no step began). */
export interface RedriveState extends Omit<RedriveStart, 'position' | 'reuse'> {
  position: number | null;
  journal: Record<string, JournalEntry>;
}

/** Steps in the order they started and switch branches taken (`<switch id>#<case index>` / `#default` / `#none`). */
export interface RunTrail {
  steps: string[];
  branches: string[];
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
  /** JSON pointer into the definition of the step that raised it, e.g. `/steps/2/branches/0/steps/1`. */
  instance?: string;
  /** The HTTP status of an HTTP failure (`UnexpectedStatus`). */
  status?: number;
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
  /** Set only by a redrive (services/runs/redrive.ts): begin at the failed run's step in progress. */
  redrive?: RedriveStart;
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
  /** `paused`: held by an operator between steps (steps already running go on). */
  status: 'running' | 'waiting' | 'paused' | 'completed' | 'failed' | 'cancelled';
  currentSteps: string[];
  completedSteps: string[];
  variables: Record<string, unknown>;
  stepOutputs?: Record<string, StepRecord>;
  /** The run's open human tasks: task id, step id, when it opened (ISO-8601, workflow time). */
  openHumanTasks?: Array<{ taskId: string; stepId: string; openedAt?: string }>;
  /** When options.recordTrail is on. */
  trail?: RunTrail;
}
