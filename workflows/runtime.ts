/**
 * The interpreter's in-memory run state and the frame a step executes in. Everything here is plain
 * data mutated only by workflow code, so it replays deterministically.
 */
import type {
  EventEnvelope,
  InterpreterInput,
  InterpreterState,
  JournalEntry,
  RunTrail,
  Step,
  StepRecord,
} from '../common/definitions/types';
import type { HumanTaskApprovalRule, HumanTaskSubmission } from '../common/contracts/human-tasks';
import type { LimitState } from './block-limits';

/** A human task the run has opened and not yet closed (the aosHumanTaskSubmit Update checks submissions here). */
export interface OpenHumanTask {
  taskId: string;
  stepId: string;
  /** Workflow time the task opened (epoch ms). */
  openedAt: number;
  /** Action ids the form offers. */
  actions: string[];
  approvals: HumanTaskApprovalRule;
  starter?: string;
  /** Accepted submissions of the approving action, in order (distinct submitters). */
  approved: HumanTaskSubmission[];
  /** The submission that completes the task, once one is accepted (later submissions are refused). */
  completion?: HumanTaskSubmission;
  /** Its `completed` write has landed: the step may go on. */
  recorded: boolean;
  /** Withdrawn by the run (timeout, cancellation, goto escalation): refuses every submission. */
  withdrawn: boolean;
  /** Approval writes in flight (the step waits for them before it goes on). */
  writing: number;
}

/** Mutable state of one run (one Temporal run; continue-as-new carries the relevant parts). */
export interface RunState {
  readonly input: InterpreterInput;
  readonly workflowId: string;
  readonly runId: string;
  status: InterpreterState['status'];
  vars: Record<string, unknown>;
  /** `$steps`: records of top-level and block steps (foreach iterations use frame overlays). */
  steps: Record<string, StepRecord>;
  completed: Set<string>;
  /** Step id -> how many executions of it are in flight (parallel/foreach may run one id several times). */
  current: Map<string, number>;
  /** Events received and not yet consumed by a wait, in arrival order. */
  buffered: EventEnvelope[];
  seenEventIds: Set<string>;
  lastEvent?: EventEnvelope;
  lastOutput: unknown;
  mirrorSeq: number;
  /** Number of wait_for_event and human_task steps currently waiting (status is `waiting` while > 0). */
  waiting: number;
  /** Held by an operator (workflows/pause.ts): no step starts until resumed; mirrored `paused` meanwhile. */
  paused: boolean;
  /** Absolute deadline (epoch ms, workflow time) from definition.timeout. */
  deadline?: number;
  /** When Temporal started the first run of the chain (ISO-8601): the mirror's started_at. */
  startedAt: string;
  generation: number;
  /** Step path -> how many times a sub_workflow step there has started a child (its child ids' suffix). */
  childStarts: Record<string, number>;
  /** Human tasks opened by the run and still open, by task id (never carried across continue-as-new: none is open then). */
  humanTasks: Map<string, OpenHumanTask>;
  /**
   * How many human tasks are being opened (their openHumanTask activity in flight). The row is visible before the
   * run learns the task's id: a submission arriving meanwhile waits for the opening instead of being refused.
   */
  humanTasksOpening: number;
  /** Block limits state: the run's budget of concurrent children and the current workflow task's steps. */
  limits: LimitState;
  /** Steps started and switch branches taken, when options.recordTrail is on (test runs). */
  trail?: RunTrail;
  /** Index of the top-level step in progress (none before the first begins): where a redrive begins. */
  position?: number;
  /** Nested executions finished within the top-level step in progress (workflows/redrive.ts). */
  journal: Record<string, JournalEntry>;
  /** Executions per nested step path within the top-level step in progress (the journal keys' occurrence). */
  occurrences: Map<string, number>;
  /** A redriven run's reusable executions of its first top-level step; dropped when that step ends. */
  reuse?: Record<string, JournalEntry>;
}

/** Where a step runs: its ltree path prefix and the locals of enclosing foreach iterations. */
export interface Frame {
  /** ltree labels of the enclosing blocks, e.g. `['fanout', 'b1']`. */
  path: string[];
  /** Step records local to enclosing foreach iterations, innermost last. */
  overlays: Array<Record<string, StepRecord>>;
  item?: unknown;
  index?: number;
  /** True only for the top-level list of the definition: the place where continue-as-new may happen. */
  top: boolean;
}

/** What a step executor returns. */
export interface StepResult {
  output: unknown;
  /** Overrides the step's `next` (switch, on_timeout, catch). */
  next?: string;
  /** The enclosing list ends here (succeed). */
  end?: boolean;
}

/** Runs a nested step list (parallel branch, foreach body) and returns its last output. */
export type BlockRunner = (steps: Step[], run: RunState, frame: Frame) => Promise<{ output: unknown; ended: boolean }>;

/** Signature of one step type's executor. */
export type StepExecutor<S extends Step = Step> = (
  step: S,
  run: RunState,
  frame: Frame,
  runBlock: BlockRunner,
) => Promise<StepResult>;

/** An ltree-safe label for a step or branch id. */
export function label(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The ltree path of `stepId` inside `frame`. */
export function stepPath(frame: Frame, stepId: string): string {
  return [...frame.path, label(stepId)].join('.');
}

/** Records a finished step where `$steps.<id>` lookups in this frame will find it. */
export function recordStep(run: RunState, frame: Frame, id: string, record: StepRecord): void {
  const target = frame.overlays.length > 0 ? frame.overlays[frame.overlays.length - 1] : run.steps;
  target[id] = record;
  run.completed.add(id);
}

/** `$steps` as seen from `frame`: global records overlaid with the enclosing iterations' records. */
export function visibleSteps(run: RunState, frame: Frame): Record<string, StepRecord> {
  return frame.overlays.length === 0 ? run.steps : Object.assign({}, run.steps, ...frame.overlays);
}

/** The live state returned by the `aosState` query. */
export function snapshot(run: RunState): InterpreterState {
  const open = run.status === 'running' || run.status === 'waiting';
  return {
    status: run.paused && open ? 'paused' : run.status,
    currentSteps: [...run.current.keys()],
    completedSteps: [...run.completed],
    variables: run.vars,
    stepOutputs: run.steps,
    openHumanTasks: [...run.humanTasks.values()].map((t) => ({
      taskId: t.taskId,
      stepId: t.stepId,
      openedAt: new Date(t.openedAt).toISOString(),
    })),
    ...(run.trail && { trail: run.trail }),
  };
}
