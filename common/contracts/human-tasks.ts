/**
 * Contract of human tasks between the interpreter, the worker's activities and the API (#12). Types only:
 * sandbox-safe. The run owns a task's life (open, escalate, complete, withdraw) and writes it to
 * task_instances through {@link HumanTaskActivities}; the API owns claim/release/assign (row updates) and
 * sends submissions to the run as the `aosHumanTaskSubmit` Workflow Update (workflows/api.ts).
 */
import type { StepContext } from '../definitions/types';

/**
 * Kinds of a task's history rows (task_execution_service.human_task_events.kind; migration 013 keeps its own frozen
 * copy for the CHECK constraint). `commented` rows are the task's comments.
 */
export const HUMAN_TASK_EVENT_KINDS = [
  'created',
  'claimed',
  'released',
  'assigned',
  'escalated',
  'overdue',
  'commented',
  'submitted',
  'completed',
  'withdrawn',
] as const;

/** A kind of history row. */
export type HumanTaskEventKind = (typeof HUMAN_TASK_EVENT_KINDS)[number];

/** The orders of a task list: `created` newest first, `due` soonest due first (tasks without a due time last). */
export const HUMAN_TASK_SORTS = ['created', 'due'] as const;
export type HumanTaskSort = (typeof HUMAN_TASK_SORTS)[number];

/** Who may work on a task. Users are usernames, roles are role ids (auth_service.roles.role_id). */
export interface HumanTaskAssignment {
  /** The one user the task is assigned to (claimed or assigned); null = unclaimed, offered to candidates. */
  assignee: string | null;
  candidateUsers: string[];
  candidateRoles: string[];
}

/** The form a task renders: a UI component version, resolved and snapshotted when the task opens. */
export interface HumanTaskFormRef {
  componentId: string;
  /** Pinned version; absent = the component's current active version when the task opens. */
  version?: string;
}

/** How many distinct people must submit the approving action before the task completes. */
export interface HumanTaskApprovalRule {
  /** Distinct submitters of `approveAction` needed (1 = the first submission completes the task). */
  required: number;
  /** The action that counts as an approval [`approve`]; any other action completes the task at once. */
  approveAction: string;
  /** May the run's starter submit (approve) their own run's task [true]. */
  allowStarter: boolean;
}

/** `openHumanTask`: creates (idempotently) the task_instances row in status `waiting` and its `created` event. */
export interface OpenHumanTaskRequest {
  ctx: StepContext;
  /** Unique per execution of the step (a step inside foreach/retry runs several times). */
  executionKey: string;
  title: string;
  description?: string;
  /** The form: a UI component (exactly one of `form` and `manualTask`). */
  form?: HumanTaskFormRef;
  /** Or a `manual` task definition (`task_id` or `task_id@version`) whose ui_component_id names the form. */
  manualTask?: string;
  prefill?: unknown;
  assignment: HumanTaskAssignment;
  /** ISO-8601 due time, when the step has `due`. */
  dueAt?: string;
  approvals: HumanTaskApprovalRule;
  /** Username of whoever started the run (self-approval rule), when known. */
  starter?: string;
  /** Workflow time of the opening (ISO-8601): the row's created_at, so a retried write hits the same row. */
  at: string;
}

/** What the run keeps of an opened task (the form itself stays in the row, out of the history). */
export interface OpenHumanTaskResult {
  /** task_instances.id: the id of the task in `/api/v1/human-tasks/{id}` and in submissions. */
  taskId: string;
  componentId: string;
  version: string;
  /** Action ids the form offers. */
  actions: string[];
}

/** A field's presentation in a form's layout. */
export interface FormFieldLayout {
  label?: string;
  help?: string;
  placeholder?: string;
  widget?: 'text' | 'textarea' | 'number' | 'checkbox' | 'select' | 'radio' | 'date' | 'datetime' | 'email' | 'hidden';
  readonly?: boolean;
}

/**
 * A form's layout (ui_components.layout): sections in order, each listing top-level property names of the
 * schema; properties no section names follow in schema order. `fields` holds per-field presentation.
 */
export interface FormLayout {
  sections?: Array<{ title?: string; description?: string; fields: string[] }>;
  fields?: Record<string, FormFieldLayout>;
}

/** An action a form offers (ui_components.actions): a button that submits the form with this action id. */
export interface FormAction {
  id: string;
  label: string;
  /** Top-level fields that must be present (non-empty) when submitting with this action. */
  requires?: string[];
  style?: 'primary' | 'danger' | 'default';
}

/**
 * The members of a UI component document: what is written (create, new version, draft replacement), as against
 * the lifecycle fields an answer adds (id, status, times). common/forms/schema.ts checks that its schema has
 * exactly these; the console's form editor shows them.
 */
export const UI_COMPONENT_DOCUMENT_FIELDS = [
  'component_id',
  'version',
  'name',
  'description',
  'component_type',
  'form_schema',
  'ui_schema',
  'layout',
  'actions',
] as const;

/** The UI component version a task renders, copied into the task when it opens (later edits never change it). */
export interface FormSnapshot {
  componentId: string;
  version: string;
  name: string;
  /** JSON Schema of the data (ui_components.form_schema). */
  schema: Record<string, unknown> | boolean;
  layout: FormLayout;
  actions: FormAction[];
  /** Free rendering hints (ui_components.ui_schema), passed to the console unchanged. */
  uiSchema?: Record<string, unknown>;
}

/** One accepted submission, as kept on the task (`human_task.submissions`). */
export interface HumanTaskSubmissionRecord {
  submittedBy: string;
  action: string;
  data: Record<string, unknown>;
  comment?: string;
  at: string;
}

/** task_instances.human_task: everything about a human task that is not a column. */
export interface HumanTaskRecord {
  title: string;
  description?: string;
  form: FormSnapshot;
  prefill?: unknown;
  approvals: HumanTaskApprovalRule;
  submissions: HumanTaskSubmissionRecord[];
  starter?: string;
  /** How many escalation rules have fired. */
  escalationLevel: number;
}

/** One change the run writes to an open task. */
export type HumanTaskChange =
  | { kind: 'escalated'; taskId: string; level: number; assignment?: HumanTaskAssignment; emittedEventId?: string }
  /** The due time passed while the task was open (recorded once; the task stays open). */
  | { kind: 'overdue'; taskId: string; dueAt: string }
  | { kind: 'approval'; taskId: string; submission: HumanTaskSubmission; approvals: number; required: number }
  | { kind: 'completed'; taskId: string; submission: HumanTaskSubmission; output: unknown }
  | { kind: 'withdrawn'; taskId: string; reason: string };

/** Activities of the human_task step (activities/human-tasks). */
export interface HumanTaskActivities {
  openHumanTask(req: OpenHumanTaskRequest): Promise<OpenHumanTaskResult>;
  /** Idempotent per (taskId, kind, level/submitter): a retried write changes nothing twice. */
  recordHumanTask(change: HumanTaskChange & { at: string }): Promise<void>;
}

/** Argument of the `aosHumanTaskSubmit` Update: a submission the API has authorized and validated. */
export interface HumanTaskSubmission {
  taskId: string;
  /** One of the form's action ids. */
  action: string;
  /** The submitted data, already validated by the API against the form snapshot. */
  data: Record<string, unknown>;
  /** Username of the submitter. */
  submittedBy: string;
  comment?: string;
  /** Submission time (ISO-8601), set by the API. */
  at: string;
}

/** Result of an accepted submission: the task completed, or one more approval was recorded. */
export interface HumanTaskSubmitResult {
  status: 'completed' | 'recorded';
  approvals: number;
  required: number;
}

/**
 * ApplicationFailure types the Update's validator rejects with; the API maps them: closed and duplicate
 * answer 409, self-approval 403, unknown action 422.
 */
export const HumanTaskRejection = {
  /** The task is not open in the run (completed, withdrawn, or never opened by it). */
  Closed: 'HumanTaskClosed',
  /** This user has already submitted an approval of this task. */
  DuplicateApproval: 'HumanTaskDuplicateApproval',
  /** The run's starter may not approve it (`allow_starter: false`). */
  SelfApproval: 'HumanTaskSelfApproval',
  /** The action is not one the form offers. */
  UnknownAction: 'HumanTaskUnknownAction',
} as const;
