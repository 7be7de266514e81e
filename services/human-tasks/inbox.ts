/**
 * Reading human tasks (#12): who the caller is to a task (assignee, candidate by name or role, admin), the inbox
 * lists, and the task views the API answers (summary, detail with form, data, submissions and history).
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import type { HumanTaskSort } from '../../common/contracts/human-tasks';
import {
  getHumanTask,
  listHumanTaskEvents,
  listHumanTasks,
  roleIdsOfUser,
  type HumanTaskEventRow,
  type HumanTaskRow,
  type HumanTaskScope,
} from '../../db/repositories/human-task-queries';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import type { TaskInstanceStatus } from '../../db/repositories/task-instances';
import { formActions } from '../forms/submission';

/** The caller, as the human-task services see them. */
export interface HumanTaskActor {
  userId: string;
  username: string;
  /** Holds human_tasks:admin: sees and acts on every task. */
  admin: boolean;
  /** Holds human_tasks:assign: may reassign any open task. */
  assign?: boolean;
  /** Holds human_tasks:work (claim, release, complete, comment), subject to the caller's relation to the task. */
  work?: boolean;
}

/** The caller with their role ids (looked up once per request). */
export interface ResolvedActor extends HumanTaskActor {
  roles: string[];
}

/** Adds the caller's role ids (auth_service.user_roles). */
export async function resolveActor(db: Knex, actor: HumanTaskActor): Promise<ResolvedActor> {
  return { ...actor, roles: await roleIdsOfUser(db, actor.userId) };
}

/** The caller is a candidate of the task: named in candidate_users, or holds one of its candidate_roles. */
export function isCandidate(task: HumanTaskRow, actor: ResolvedActor): boolean {
  return (
    (task.candidate_users ?? []).includes(actor.username) ||
    (task.candidate_roles ?? []).some((r) => actor.roles.includes(r))
  );
}

/** The caller may see the task: admin, assignee, candidate, or one of its submitters. */
export function canSee(task: HumanTaskRow, actor: ResolvedActor): boolean {
  return (
    actor.admin ||
    task.assignee === actor.username ||
    isCandidate(task, actor) ||
    (task.human_task?.submissions ?? []).some((s) => s.submittedBy === actor.username)
  );
}

/** The task, or 404 (also when the caller may not see it: its existence is not disclosed). */
export async function visibleTask(db: Knex, id: string, actor: ResolvedActor): Promise<HumanTaskRow> {
  const task = await getHumanTask(db, id);
  if (!task || !canSee(task, actor)) throw AppError.notFound(`Human task ${id} not found`);
  return task;
}

/** The summary of a task (list items). */
export function taskSummary(t: HumanTaskRow) {
  return {
    id: t.id,
    workflow_instance_id: t.workflow_instance_id,
    workflow_id: t.workflow_id,
    step_id: t.step_id,
    status: t.status,
    title: t.human_task?.title ?? t.step_id,
    assignee: t.assignee,
    candidate_users: t.candidate_users ?? [],
    candidate_roles: t.candidate_roles ?? [],
    due_at: t.due_at,
    claimed_at: t.claimed_at,
    created_at: t.created_at,
    completed_at: t.completed_at,
  };
}

/** One row of a task's history as the API shows it. */
export function eventView(e: HumanTaskEventRow) {
  return { id: e.id, kind: e.kind, actor: e.actor, details: e.details, at: e.created_at };
}

/**
 * What the caller may do to the task now (for the console's buttons): the same rules the actions check, without
 * the races they settle (a claim may still lose to a concurrent one).
 */
export function allowedActions(t: HumanTaskRow, actor: ResolvedActor) {
  const open = t.status === 'waiting';
  const work = actor.work !== false;
  const mine = t.assignee === actor.username;
  const offered = t.assignee === null && isCandidate(t, actor);
  const hasCandidates = (t.candidate_users ?? []).length > 0 || (t.candidate_roles ?? []).length > 0;
  return {
    claim: work && open && t.assignee === null && (actor.admin || isCandidate(t, actor)),
    release: work && open && t.assignee !== null && hasCandidates && (mine || actor.admin),
    complete: work && open && (mine || offered || actor.admin),
    comment: work,
    assign: open && actor.assign === true,
  };
}

/**
 * The full task: summary, description, form, prefilled data, approval rule, submissions, output, history, and
 * what the caller may do to it.
 */
export async function taskDetail(db: Knex, t: HumanTaskRow, actor: ResolvedActor) {
  const ht = t.human_task;
  const history = await listHumanTaskEvents(db, t.id);
  const form = ht?.form ? { ...ht.form, actions: formActions(ht.form) } : null;
  return {
    ...taskSummary(t),
    description: ht?.description ?? null,
    form,
    data: ht?.prefill ?? {},
    approvals: ht?.approvals
      ? {
          required: ht.approvals.required,
          approve_action: ht.approvals.approveAction,
          allow_starter: ht.approvals.allowStarter,
        }
      : null,
    submissions: (ht?.submissions ?? []).map((s) => ({
      submitted_by: s.submittedBy,
      action: s.action,
      data: s.data,
      ...(s.comment !== undefined && { comment: s.comment }),
      at: s.at,
    })),
    escalation_level: ht?.escalationLevel ?? 0,
    output: t.output ?? null,
    history: history.map(eventView),
    allowed: allowedActions(t, actor),
  };
}

/** Query of the task list. */
export interface TaskListQuery {
  scope?: HumanTaskScope;
  status?: TaskInstanceStatus;
  workflowId?: string;
  workflowInstanceId?: string;
  assignee?: string;
  dueBefore?: Date;
  createdAfter?: string;
  createdBefore?: string;
  sort?: HumanTaskSort;
}

/** One page of task summaries for the caller; scope `all` needs human_tasks:admin (403 otherwise). */
export async function listTasks(db: Knex, actor: ResolvedActor, q: TaskListQuery, page: PageRequest) {
  const scope = q.scope ?? 'inbox';
  if (scope === 'all' && !actor.admin)
    throw new AppError(403, 'Forbidden', 'scope=all needs the permission human_tasks:admin');
  const result: Page<HumanTaskRow> = await listHumanTasks(
    db,
    {
      scope,
      username: actor.username,
      roles: actor.roles,
      status: q.status ?? 'waiting',
      workflowId: q.workflowId,
      workflowInstanceId: q.workflowInstanceId,
      assignee: q.assignee,
      dueBefore: q.dueBefore,
      createdAfter: q.createdAfter,
      createdBefore: q.createdBefore,
      sort: q.sort,
    },
    page,
  );
  return { items: result.items.map(taskSummary), nextCursor: result.nextCursor };
}

/** One task's detail, or 404. */
export async function getTask(db: Knex, id: string, actor: ResolvedActor) {
  return taskDetail(db, await visibleTask(db, id, actor), actor);
}
