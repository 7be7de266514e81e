/**
 * What the run does to its human tasks (#12), behind the `openHumanTask` and `recordHumanTask` activities:
 * resolve the form into a snapshot, write the task_instances row and its `created` event, then record
 * escalations, the due time passing (`overdue`), approvals, the completion and the withdrawal. Every write is idempotent (a retried activity
 * changes nothing twice): the row by its execution key and opening time, each event by its dedupe_key, and a row
 * change only with the first insert of its event, in one transaction.
 */
import type { Knex } from 'knex';
import type {
  FormAction,
  FormLayout,
  FormSnapshot,
  HumanTaskChange,
  HumanTaskRecord,
  HumanTaskSubmission,
  HumanTaskSubmissionRecord,
  OpenHumanTaskRequest,
  OpenHumanTaskResult,
} from '../../common/contracts/human-tasks';
import { FailureType } from '../../common/errors/catalogue';
import { nonRetryable } from '../../common/errors/failures';
import {
  appendHumanTaskSubmission,
  closeHumanTask,
  findFormComponent,
  findFormComponentById,
  findManualTask,
  humanTaskInstanceId,
  insertHumanTask,
  insertHumanTaskEvent,
  reassignHumanTask,
  type FormComponentRow,
  type HumanTaskEventInsert,
  type ManualTaskRow,
} from '../../db/repositories/human-tasks';
import { parseTaskRef } from '../definitions/task-refs';
import { IMPLICIT_ACTION } from '../forms/submission';

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The snapshot of a form component row (layout and actions as stored; none = the implicit submit action). */
export function formSnapshot(row: FormComponentRow): FormSnapshot {
  const actions =
    Array.isArray(row.actions) && row.actions.length > 0 ? (row.actions as FormAction[]) : [IMPLICIT_ACTION];
  return {
    componentId: row.component_id,
    version: row.version,
    name: row.name,
    schema: row.form_schema ?? { type: 'object' },
    layout: isObj(row.layout) ? (row.layout as FormLayout) : {},
    actions,
    ...(isObj(row.ui_schema) && { uiSchema: row.ui_schema }),
  };
}

function formNotFound(message: string) {
  return nonRetryable(FailureType.FormNotFound, message);
}

/** The form of a task: the component named (or the active version), or the manual task definition's. */
async function resolveForm(
  db: Knex,
  req: OpenHumanTaskRequest,
): Promise<{ component: FormComponentRow; task?: ManualTaskRow }> {
  if (req.form) {
    const { componentId, version } = req.form;
    const component = await findFormComponent(db, componentId, version);
    if (!component)
      throw formNotFound(
        version === undefined
          ? `no active form UI component "${componentId}"`
          : `no form UI component "${componentId}" version ${version}`,
      );
    return { component };
  }
  const ref = parseTaskRef(req.manualTask ?? '');
  const task = await findManualTask(db, ref.taskId, ref.version);
  if (!task) throw formNotFound(`no ${ref.version === undefined ? 'active ' : ''}task definition "${ref.ref}"`);
  if (task.type !== 'manual')
    throw formNotFound(`task definition "${ref.ref}" is a ${task.type} task, not a manual task with a form`);
  if (!task.ui_component_id) throw formNotFound(`manual task "${ref.ref}" has no UI component (ui_component_id)`);
  const component = await findFormComponentById(db, task.ui_component_id);
  if (!component) throw formNotFound(`the UI component of manual task "${ref.ref}" is not a form`);
  return { component, task };
}

/** The form a task of `req` would render (test runs: the form is checked, no row is written). */
export async function resolveFormSnapshot(db: Knex, req: OpenHumanTaskRequest): Promise<FormSnapshot> {
  return formSnapshot((await resolveForm(db, req)).component);
}

/** Opens a human task: its row (status waiting) and its `created` event; idempotent. */
export async function openHumanTask(db: Knex, req: OpenHumanTaskRequest): Promise<OpenHumanTaskResult> {
  const { component, task } = await resolveForm(db, req);
  const form = formSnapshot(component);
  const record: HumanTaskRecord = {
    title: req.title,
    ...(req.description !== undefined && { description: req.description }),
    form,
    ...(req.prefill !== undefined && { prefill: req.prefill }),
    approvals: req.approvals,
    submissions: [],
    ...(req.starter !== undefined && { starter: req.starter }),
    escalationLevel: 0,
  };
  const at = new Date(req.at);
  const { ctx, assignment } = req;
  const taskId = await db.transaction(async (trx) => {
    const id = await insertHumanTask(trx, {
      workflow_instance_id: ctx.instanceId,
      execution_key: req.executionKey,
      created_at: at,
      task_definition_id: task?.id ?? null,
      task_id: task?.task_id ?? null,
      task_version: task?.version ?? null,
      step_id: ctx.stepId,
      step_path: ltreeSafe(ctx.stepPath),
      assignee: assignment.assignee,
      candidate_users: assignment.candidateUsers,
      candidate_roles: assignment.candidateRoles,
      due_at: req.dueAt === undefined ? null : new Date(req.dueAt),
      human_task: record,
      input: req.prefill ?? null,
    });
    await insertHumanTaskEvent(trx, {
      task_instance_id: id,
      workflow_instance_id: ctx.instanceId,
      kind: 'created',
      actor: 'system',
      details: {
        assignment,
        ...(req.dueAt !== undefined && { dueAt: req.dueAt }),
        form: { componentId: form.componentId, version: form.version },
      },
      dedupe_key: `${id}:created`,
      created_at: at,
    });
    return id;
  });
  return { taskId, componentId: form.componentId, version: form.version, actions: form.actions.map((a) => a.id) };
}

function submissionRecord(s: HumanTaskSubmission): HumanTaskSubmissionRecord {
  return {
    submittedBy: s.submittedBy,
    action: s.action,
    data: s.data,
    ...(s.comment !== undefined && { comment: s.comment }),
    at: s.at,
  };
}

/** Writes one change the run made to a task; a repeated write (same dedupe key) changes nothing. */
export async function recordHumanTask(db: Knex, change: HumanTaskChange & { at: string }): Promise<void> {
  const instanceId = await humanTaskInstanceId(db, change.taskId);
  if (instanceId === undefined) throw nonRetryable(FailureType.NotFound, `no human task ${change.taskId}`);
  const at = new Date(change.at);
  const event = (kind: HumanTaskEventInsert['kind'], actor: string, details: Record<string, unknown>, key: string) => ({
    task_instance_id: change.taskId,
    workflow_instance_id: instanceId,
    kind,
    actor,
    details,
    dedupe_key: `${change.taskId}:${key}`,
    created_at: at,
  });
  await db.transaction(async (trx) => {
    switch (change.kind) {
      case 'escalated': {
        const details = {
          level: change.level,
          ...(change.assignment && { assignment: change.assignment }),
          ...(change.emittedEventId && { emittedEventId: change.emittedEventId }),
        };
        if (await insertHumanTaskEvent(trx, event('escalated', 'system', details, `escalated:${change.level}`)))
          await reassignHumanTask(trx, change.taskId, change.level, change.assignment);
        return;
      }
      case 'overdue':
        // Only the audit entry: the row already has its due_at, and the task stays open.
        await insertHumanTaskEvent(trx, event('overdue', 'system', { dueAt: change.dueAt }, 'overdue'));
        return;
      case 'approval':
      case 'completed': {
        const s = change.submission;
        const details = {
          action: s.action,
          data: s.data,
          ...(s.comment !== undefined && { comment: s.comment }),
          ...(change.kind === 'approval' && { approvals: change.approvals, required: change.required }),
        };
        const key = `submitted:${s.submittedBy}:${s.action}:${s.at}`;
        if (await insertHumanTaskEvent(trx, event('submitted', s.submittedBy, details, key)))
          await appendHumanTaskSubmission(trx, change.taskId, submissionRecord(s));
        if (
          change.kind === 'completed' &&
          (await insertHumanTaskEvent(trx, event('completed', s.submittedBy, { action: s.action }, 'completed')))
        )
          await closeHumanTask(trx, change.taskId, 'completed', at, change.output);
        return;
      }
      case 'withdrawn':
        if (await insertHumanTaskEvent(trx, event('withdrawn', 'system', { reason: change.reason }, 'withdrawn')))
          await closeHumanTask(trx, change.taskId, 'cancelled', at);
        return;
    }
  });
}

// ltree labels are [A-Za-z0-9_]: the interpreter already emits safe paths, this is a guard (as in the task mirror).
function ltreeSafe(path: string): string {
  return path
    .split('.')
    .map((l) => l.replace(/[^A-Za-z0-9_]/g, '_') || '_')
    .join('.');
}
