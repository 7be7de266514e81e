/**
 * `human_task`: opens a task for people (a task_instances row with a form snapshot, written by the
 * `openHumanTask` activity), waits durably for submissions through the `aosHumanTaskSubmit` Update, records the
 * due time passing (`overdue`) and fires the escalation rules (counted from the opening or from the due time) on
 * durable timers, and withdraws the task when the step is cancelled or times out.
 *
 * Submissions: the Update's validator refuses a closed task, an unknown action, a duplicate approval and the
 * starter's self-approval (`HumanTaskRejection`); the handler marks the submission at once (synchronously, so of
 * two concurrent submissions only one completes the task) and returns after the row shows it.
 */
import { ApplicationFailure, CancellationScope, condition, isCancellation, uuid4 } from '@temporalio/workflow';
import {
  HumanTaskRejection,
  type HumanTaskAssignment,
  type HumanTaskChange,
  type HumanTaskSubmission,
  type HumanTaskSubmitResult,
  type OpenHumanTaskRequest,
} from '../../common/contracts/human-tasks';
import { parseDuration } from '../../common/definitions/duration';
import type { HumanTaskEscalation, HumanTaskStep } from '../../common/definitions/types';
import { FailureType } from '../../common/errors/catalogue';
import { engineActivities, humanTaskActivities } from '../activities';
import { runMs } from '../clock';
import { evaluate } from '../expressions';
import type { Frame, OpenHumanTask, RunState, StepExecutor } from '../runtime';
import { failure } from '../step-errors';
import { enterWaiting, leaveWaiting } from '../waiting';
import { stepContext } from './context';

/** The approving action when a step's `approvals` does not name one. */
const DEFAULT_APPROVE_ACTION = 'approve';

/** Executes a human_task step; output: the raw submission (or `output` mapped from it), null after a `goto`. */
export const humanTaskStep: StepExecutor<HumanTaskStep> = async (step, run, frame) => {
  const where = (field: string) => `step "${step.id}" ${field}`;
  const title = await evaluate(step.title, run, frame, where('title'));
  const description =
    step.description === undefined ? undefined : await evaluate(step.description, run, frame, where('description'));
  const prefill = step.prefill === undefined ? undefined : await evaluate(step.prefill, run, frame, where('prefill'));
  const assignment: HumanTaskAssignment = {
    assignee: step.assignee === undefined ? null : userOf(await evaluate(step.assignee, run, frame, where('assignee'))),
    candidateUsers: await names(step.candidate_users, run, frame, step.id, 'candidate_users'),
    candidateRoles: await names(step.candidate_roles, run, frame, step.id, 'candidate_roles'),
  };
  const approvals = {
    required: step.approvals?.required ?? 1,
    approveAction: step.approvals?.approve_action ?? DEFAULT_APPROVE_ACTION,
    allowStarter: step.approvals?.allow_starter ?? true,
  };
  const starter = run.input.trigger?.startedBy;
  const openedAt = Date.now();
  const dueAt = step.due === undefined ? undefined : openedAt + runMs(run.input.options, parseDuration(step.due));
  const ctx = stepContext(run, frame, step.id);
  // uuid4() is seeded per run: the same key on replay, a new one for every execution of the step.
  const executionKey = `${run.runId}/human/${ctx.stepPath}/${uuid4()}`;
  const activities = humanTaskActivities(`${step.id}: human task`, run.input.options);
  run.humanTasksOpening += 1;
  let task: OpenHumanTask;
  try {
    const opened = await activities.openHumanTask({
      ctx,
      executionKey,
      title: String(title),
      ...(description !== undefined && { description: String(description) }),
      ...formRef(step),
      ...(prefill !== undefined && { prefill }),
      assignment,
      ...(dueAt !== undefined && { dueAt: new Date(dueAt).toISOString() }),
      approvals,
      ...(starter !== undefined && { starter }),
      at: new Date(openedAt).toISOString(),
    });
    task = {
      taskId: opened.taskId,
      stepId: step.id,
      openedAt,
      actions: opened.actions,
      approvals,
      ...(starter !== undefined && { starter }),
      approved: [],
      recorded: false,
      withdrawn: false,
      writing: 0,
    };
    run.humanTasks.set(task.taskId, task);
  } finally {
    // In the same synchronous turn as the registration: a waiting submission sees the task, or no opening.
    run.humanTasksOpening -= 1;
  }

  let goto: string | undefined;
  await enterWaiting(run, step.id);
  try {
    goto = await waitForCompletion(step, run, frame, task, openedAt, dueAt);
  } catch (err) {
    // Cancelled (run, enclosing block, step timeout, workflow deadline): the task goes away with the step. A
    // submission accepted meanwhile is written first (its write is not cancellable): then it stands.
    await CancellationScope.nonCancellable(async () => {
      await condition(() => task.writing === 0);
      if (task.completion) return;
      task.withdrawn = true;
      const reason = isCancellation(err) ? 'cancelled' : 'failed';
      await record(run, step.id, { kind: 'withdrawn', taskId: task.taskId, reason });
    });
    throw err;
  } finally {
    run.humanTasks.delete(task.taskId);
    await leaveWaiting(run);
  }
  if (goto !== undefined) return { output: null, next: goto };

  const raw = rawOutput(task);
  if (step.output === undefined) return { output: raw };
  return { output: await evaluate(step.output, run, frame, where('output'), { output: raw }) };
};

/**
 * Waits for the completing submission. Meanwhile, on durable timers (one condition() at a time, until the next
 * of: the due time, the next escalation rule), records the due time passing (`overdue`, once; the task stays
 * open) and fires the escalation rules in order, each `after` its duration from the opening or, with
 * `from: "due"`, from the due time. Returns a `goto` target if one fired.
 */
async function waitForCompletion(
  step: HumanTaskStep,
  run: RunState,
  frame: Frame,
  task: OpenHumanTask,
  openedAt: number,
  dueAt: number | undefined,
): Promise<string | undefined> {
  const escalations = step.escalations ?? [];
  const completed = () => task.completion !== undefined;
  // Validation guarantees `due` for `from: "due"` and rules in the order they fire.
  const firesAt = (rule: HumanTaskEscalation) =>
    (rule.from === 'due' ? (dueAt as number) : openedAt) + runMs(run.input.options, parseDuration(rule.after));
  let overdueRecorded = dueAt === undefined;
  let level = 0;
  while (!completed()) {
    const rule = escalations[level] as HumanTaskEscalation | undefined;
    // The due time before a rule firing at the same moment: the history says `overdue`, then `escalated`.
    const overdueNext = !overdueRecorded && (rule === undefined || (dueAt as number) <= firesAt(rule));
    if (!overdueNext && rule === undefined) break;
    const ms = (overdueNext ? (dueAt as number) : firesAt(rule as HumanTaskEscalation)) - Date.now();
    if (ms > 0 && (await condition(completed, ms))) break;
    if (overdueNext) {
      overdueRecorded = true;
      await record(run, step.id, {
        kind: 'overdue',
        taskId: task.taskId,
        dueAt: new Date(dueAt as number).toISOString(),
      });
      continue;
    }
    level += 1;
    const goto = await escalate(step, run, frame, task, rule as HumanTaskEscalation, level);
    if (goto !== undefined) return goto;
  }
  // The completing submission's write (and any approval write) lands before the step goes on.
  await condition(() => task.recorded && task.writing === 0);
  return undefined;
}

/** Fires one escalation rule; returns the `goto` target when the rule is one. */
async function escalate(
  step: HumanTaskStep,
  run: RunState,
  frame: Frame,
  task: OpenHumanTask,
  rule: HumanTaskEscalation,
  level: number,
): Promise<string | undefined> {
  const { taskId } = task;
  if (rule.goto !== undefined) {
    task.withdrawn = true;
    await record(run, step.id, { kind: 'withdrawn', taskId, reason: `escalation ${level}: goto ${rule.goto}` });
    return rule.goto;
  }
  if (rule.emit !== undefined) {
    const payload =
      rule.emit.payload === undefined
        ? {}
        : await evaluate(rule.emit.payload, run, frame, `step "${step.id}" escalation ${level} payload`);
    const eventId = uuid4();
    const { emitEvent } = engineActivities(
      `${step.id}: escalation ${level}: emit ${rule.emit.event}`,
      run.input.options,
    );
    await emitEvent({ pattern: rule.emit.event, payload, ctx: stepContext(run, frame, step.id), eventId });
    await record(run, step.id, { kind: 'escalated', taskId, level, emittedEventId: eventId });
    return undefined;
  }
  const assign = rule.assign ?? {};
  const assignment: HumanTaskAssignment =
    assign.user !== undefined
      ? { assignee: assign.user, candidateUsers: [assign.user], candidateRoles: [] }
      : { assignee: null, candidateUsers: [], candidateRoles: assign.role === undefined ? [] : [assign.role] };
  await record(run, step.id, { kind: 'escalated', taskId, level, assignment });
  return undefined;
}

/** Writes a change of the task (workflow time as its `at`). */
function record(run: RunState, stepId: string, change: HumanTaskChange): Promise<void> {
  const { recordHumanTask } = humanTaskActivities(`${stepId}: human task ${change.kind}`, run.input.options);
  return recordHumanTask({ ...change, at: new Date().toISOString() });
}

function rejection(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Why `submission` cannot be accepted now, or undefined when it can. */
function refusal(run: RunState, submission: HumanTaskSubmission): ApplicationFailure | undefined {
  const task = run.humanTasks.get(submission?.taskId);
  if (!task || task.withdrawn || task.completion)
    return rejection(HumanTaskRejection.Closed, `human task ${String(submission?.taskId)} is not open`);
  if (!task.actions.includes(submission.action))
    return rejection(
      HumanTaskRejection.UnknownAction,
      `the form offers no action "${String(submission.action)}" (actions: ${task.actions.join(', ')})`,
    );
  if (submission.action === task.approvals.approveAction) {
    if (!task.approvals.allowStarter && task.starter !== undefined && submission.submittedBy === task.starter)
      return rejection(HumanTaskRejection.SelfApproval, `${task.starter} started this run and may not approve it`);
    if (task.approved.some((s) => s.submittedBy === submission.submittedBy))
      return rejection(
        HumanTaskRejection.DuplicateApproval,
        `${submission.submittedBy} has already approved this task`,
      );
  }
  return undefined;
}

/**
 * A submission for a task the run does not know yet while it is opening one: the row is written (and listed)
 * before the openHumanTask activity's result reaches the run, so the submission may be for it.
 */
function maybeOpening(run: RunState, submission: HumanTaskSubmission): boolean {
  return run.humanTasksOpening > 0 && !run.humanTasks.has(submission?.taskId);
}

/**
 * The Update's validator: refuses what the run cannot accept (nothing is recorded then). A submission that may be
 * for a task being opened is accepted here and checked by the handler once the opening has finished.
 */
export function checkSubmission(run: RunState, submission: HumanTaskSubmission): void {
  if (maybeOpening(run, submission)) return;
  const refused = refusal(run, submission);
  if (refused) throw refused;
}

/**
 * The Update's handler: takes the submission at once (synchronously: a concurrent submission validated after it
 * sees it), then records it; returns when the row shows it.
 */
export async function submitHumanTask(run: RunState, submission: HumanTaskSubmission): Promise<HumanTaskSubmitResult> {
  // Only a submission that may be for a task being opened waits (any other takes the same path as ever).
  if (maybeOpening(run, submission)) await condition(() => !maybeOpening(run, submission));
  // Validated in the same activation; checked again for a submission accepted meanwhile.
  const refused = refusal(run, submission);
  if (refused) throw refused;
  const task = run.humanTasks.get(submission.taskId) as OpenHumanTask;
  const { required, approveAction } = task.approvals;
  const approving = submission.action === approveAction;
  if (approving) task.approved.push(submission);
  const completes = !approving || task.approved.length >= required;
  const approvals = task.approved.length;
  if (completes) task.completion = submission;
  // Accepted: the write is not cancellable (a run cancelled meanwhile waits for it, see the step's catch).
  task.writing += 1;
  try {
    const { taskId, stepId } = task;
    await CancellationScope.nonCancellable(() =>
      completes
        ? record(run, stepId, { kind: 'completed', taskId, submission, output: rawOutput(task) })
        : record(run, stepId, { kind: 'approval', taskId, submission, approvals, required }),
    );
  } catch (err) {
    // The row does not show it: the task stays open for another submission.
    if (completes) task.completion = undefined;
    if (approving) task.approved = task.approved.filter((s) => s !== submission);
    throw err;
  } finally {
    task.writing -= 1;
  }
  if (!completes) return { status: 'recorded', approvals, required };
  task.recorded = true;
  return { status: 'completed', approvals, required };
}

/** The step's raw output: the completing submission, with every approval. */
function rawOutput(task: OpenHumanTask): Record<string, unknown> {
  const s = task.completion as HumanTaskSubmission;
  return {
    action: s.action,
    data: s.data,
    submitted_by: s.submittedBy,
    submitted_at: s.at,
    ...(s.comment !== undefined && { comment: s.comment }),
    approvals: task.approved.map((a) => ({ submitted_by: a.submittedBy, action: a.action, data: a.data, at: a.at })),
  };
}

function formRef(step: HumanTaskStep): Pick<OpenHumanTaskRequest, 'form' | 'manualTask'> {
  if (!step.form) return { manualTask: step.task as string };
  return { form: { componentId: step.form.component_id, ...(step.form.version && { version: step.form.version }) } };
}

function userOf(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return String(value);
}

async function names(template: unknown, run: RunState, frame: Frame, stepId: string, field: string): Promise<string[]> {
  if (template === undefined) return [];
  const value = await evaluate(template, run, frame, `step "${stepId}" ${field}`);
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.some((v) => typeof v !== 'string' || v === ''))
    throw failure(
      FailureType.ExpressionError,
      `step "${stepId}": ${field} must be a list of names, got ${JSON.stringify(value)}`,
    );
  return [...new Set(list as string[])];
}
