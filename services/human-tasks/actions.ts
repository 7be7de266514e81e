/**
 * What people do to human tasks (#12): claim, release, assign, comment, complete. Claim, release and assign are
 * conditional row updates (db/repositories/human-task-queries.ts changeAssignment) with their audit event: of
 * two concurrent changes exactly one applies, the other answers 409. Completing authorizes and validates the
 * submission here, then hands it to the run as the `aosHumanTaskSubmit` Workflow Update: the run decides
 * (closed, duplicate, self-approval) and writes the outcome to the task before the Update returns.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import {
  HumanTaskRejection,
  type HumanTaskSubmission,
  type HumanTaskSubmitResult,
} from '../../common/contracts/human-tasks';
import { AppError, type FieldError } from '../../common/errors';
import {
  changeAssignment,
  existingRoleIds,
  existingUsernames,
  findAssignees,
  getHumanTask,
  insertHumanTaskEvent,
  listHumanTaskEvents,
  type AssigneeChoices,
  type AssignmentChange,
  type HumanTaskRow,
} from '../../db/repositories/human-task-queries';
import { TERMINAL_WORKFLOW_STATUSES, type WorkflowInstanceStatus } from '../../db/repositories/workflow-instances';
import { humanTaskSubmitUpdate } from '../../workflows/api';
import { eventView, isCandidate, taskDetail, visibleTask, type ResolvedActor } from './inbox';
import { effectiveData, submissionErrors } from '../forms/submission';

/** What the human-task actions need. */
export interface HumanTaskDeps {
  db: Knex;
  temporal: Client;
}

/** How long a submission waits for the run's answer before the API gives up with 503. */
const UPDATE_DEADLINE_MS = 30_000;

function assertWaiting(task: HumanTaskRow): void {
  if (task.status !== 'waiting') throw AppError.conflict(`Human task ${task.id} is ${task.status}, no longer open`);
}

const forbidden = (detail: string) => new AppError(403, 'Forbidden', detail);
const changed = (id: string) =>
  AppError.conflict(`Human task ${id} changed meanwhile (claimed, reassigned or closed); reload it`);

/** The task after a change, as the API answers it. */
async function reloaded(db: Knex, id: string, actor: ResolvedActor) {
  const task = await getHumanTask(db, id);
  if (!task) throw AppError.notFound(`Human task ${id} not found`);
  return taskDetail(db, task, actor);
}

/**
 * Claims an unclaimed task for the caller (a candidate, or an admin). 409 when someone else holds it or it is
 * closed; claiming a task one already holds answers it unchanged.
 */
export async function claimTask(deps: HumanTaskDeps, id: string, actor: ResolvedActor) {
  const task = await visibleTask(deps.db, id, actor);
  assertWaiting(task);
  if (task.assignee === actor.username) return taskDetail(deps.db, task, actor);
  if (task.assignee !== null) throw AppError.conflict(`Human task ${id} is already claimed by ${task.assignee}`);
  if (!actor.admin && !isCandidate(task, actor)) throw forbidden(`You are not a candidate of human task ${id}`);
  const event = await changeAssignment(
    deps.db,
    task,
    null,
    { assignee: actor.username },
    {
      kind: 'claimed',
      actor: actor.username,
    },
  );
  if (!event) {
    const now = await getHumanTask(deps.db, id);
    if (now?.status === 'waiting' && now.assignee === actor.username) return taskDetail(deps.db, now, actor);
    throw AppError.conflict(
      now?.assignee ? `Human task ${id} is already claimed by ${now.assignee}` : `Human task ${id} changed meanwhile`,
    );
  }
  return reloaded(deps.db, id, actor);
}

/** Gives a claimed task back to its candidates: only its assignee, or an admin. */
export async function releaseTask(deps: HumanTaskDeps, id: string, actor: ResolvedActor) {
  const task = await visibleTask(deps.db, id, actor);
  assertWaiting(task);
  if (task.assignee === null) throw AppError.conflict(`Human task ${id} is not claimed`);
  if (task.assignee !== actor.username && !actor.admin)
    throw forbidden(`Only the assignee (${task.assignee}) or an admin may release human task ${id}`);
  if ((task.candidate_users ?? []).length === 0 && (task.candidate_roles ?? []).length === 0)
    throw AppError.conflict(`Human task ${id} has no candidates to offer it to; reassign it instead`);
  const event = await changeAssignment(
    deps.db,
    task,
    task.assignee,
    { assignee: null },
    {
      kind: 'released',
      actor: actor.username,
      details: { previous_assignee: task.assignee },
    },
  );
  if (!event) throw changed(id);
  return reloaded(deps.db, id, actor);
}

/** Body of an assignment (each part optional; the parts given replace the task's). */
export interface AssignRequest {
  assignee?: string | null;
  candidate_users?: string[];
  candidate_roles?: string[];
}

/** Field errors for names that are not users or roles. */
async function unknownNames(db: Knex, body: AssignRequest): Promise<FieldError[]> {
  const users = [...(body.assignee ? [body.assignee] : []), ...(body.candidate_users ?? [])];
  const known = await existingUsernames(db, users);
  const roles = await existingRoleIds(db, body.candidate_roles ?? []);
  const errors: FieldError[] = [];
  if (body.assignee && !known.has(body.assignee))
    errors.push({ pointer: '/body/assignee', message: `is not a user: ${body.assignee}` });
  (body.candidate_users ?? []).forEach((u, i) => {
    if (!known.has(u)) errors.push({ pointer: `/body/candidate_users/${i}`, message: `is not a user: ${u}` });
  });
  (body.candidate_roles ?? []).forEach((r, i) => {
    if (!roles.has(r)) errors.push({ pointer: `/body/candidate_roles/${i}`, message: `is not a role: ${r}` });
  });
  return errors;
}

/**
 * Reassigns an open task (human_tasks:assign, on any task): a new assignee (null = unclaimed) and/or new
 * candidates. The result must leave someone to work on it. 409 when it changed meanwhile.
 */
export async function assignTask(deps: HumanTaskDeps, id: string, actor: ResolvedActor, body: AssignRequest) {
  const task = await getHumanTask(deps.db, id);
  if (!task) throw AppError.notFound(`Human task ${id} not found`);
  if (body.assignee === undefined && body.candidate_users === undefined && body.candidate_roles === undefined)
    throw AppError.unprocessable('Nothing to assign', [
      { pointer: '/body', message: 'must set assignee, candidate_users or candidate_roles' },
    ]);
  const errors = await unknownNames(deps.db, body);
  if (errors.length > 0) throw AppError.unprocessable('Unknown users or roles', errors);
  assertWaiting(task);
  const change: AssignmentChange = {
    assignee: body.assignee === undefined ? task.assignee : body.assignee,
    ...(body.candidate_users && { candidateUsers: [...new Set(body.candidate_users)] }),
    ...(body.candidate_roles && { candidateRoles: [...new Set(body.candidate_roles)] }),
  };
  const users = change.candidateUsers ?? task.candidate_users ?? [];
  const roles = change.candidateRoles ?? task.candidate_roles ?? [];
  if (change.assignee === null && users.length === 0 && roles.length === 0)
    throw AppError.unprocessable('Nobody could work on the task', [
      { pointer: '/body', message: 'leaves the task without assignee and candidates' },
    ]);
  const event = await changeAssignment(deps.db, task, task.assignee, change, {
    kind: 'assigned',
    actor: actor.username,
    details: {
      previous: {
        assignee: task.assignee,
        candidate_users: task.candidate_users,
        candidate_roles: task.candidate_roles,
      },
      assignee: change.assignee,
      candidate_users: users,
      candidate_roles: roles,
    },
  });
  if (!event) throw changed(id);
  return reloaded(deps.db, id, actor);
}

/**
 * The users and roles a task could be given to (human_tasks:assign), for a picker: active users and roles whose
 * name or id contains `q`, at most `limit` of each.
 */
export async function assigneeChoices(db: Knex, id: string, q: string, limit: number): Promise<AssigneeChoices> {
  if (!(await getHumanTask(db, id))) throw AppError.notFound(`Human task ${id} not found`);
  return findAssignees(db, q.trim(), limit);
}

/** A task's comments, oldest first. */
export async function listComments(db: Knex, id: string, actor: ResolvedActor) {
  const task = await visibleTask(db, id, actor);
  return (await listHumanTaskEvents(db, task.id, 'commented')).map(commentView);
}

function commentView(e: Awaited<ReturnType<typeof listHumanTaskEvents>>[number]) {
  const v = eventView(e);
  return { id: v.id, author: v.actor, text: String((v.details as { text?: unknown }).text ?? ''), at: v.at };
}

/** Adds a comment (any status: a closed task can still be discussed). */
export async function addComment(db: Knex, id: string, actor: ResolvedActor, text: string) {
  const task = await visibleTask(db, id, actor);
  const row = await insertHumanTaskEvent(db, {
    taskInstanceId: task.id,
    workflowInstanceId: task.workflow_instance_id,
    kind: 'commented',
    actor: actor.username,
    details: { text },
  });
  return commentView(row);
}

/** A submission as the API receives it. */
export interface CompleteRequest {
  action: string;
  data: Record<string, unknown>;
  comment?: string;
}

/** The run's refusal as an API error (undefined: not a refusal of the validator). */
export function rejection(err: unknown): AppError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  const message = cause?.message ?? err.message;
  switch (type) {
    case HumanTaskRejection.Closed:
    case HumanTaskRejection.DuplicateApproval:
      return AppError.conflict(message);
    case HumanTaskRejection.SelfApproval:
      return forbidden(message);
    case HumanTaskRejection.UnknownAction:
      return AppError.unprocessable(message, [{ pointer: '/body/action', message }]);
    default:
      return AppError.conflict(`The run refused the submission: ${message}`);
  }
}

/**
 * Completes (or approves) a task: the caller must be its assignee, or a candidate of an unclaimed task, or an
 * admin; the task must be open (409); the submission must fit the form (422 listing every error, nothing
 * recorded). The run then accepts or refuses it through the Update; accepted, the answer is the task as the run
 * left it and the Update's result.
 */
export async function completeTask(deps: HumanTaskDeps, id: string, actor: ResolvedActor, body: CompleteRequest) {
  const task = await visibleTask(deps.db, id, actor);
  if (!actor.admin && task.assignee !== actor.username) {
    if (task.assignee !== null) throw AppError.conflict(`Human task ${id} is claimed by ${task.assignee}`);
    if (!isCandidate(task, actor)) throw forbidden(`You are not a candidate of human task ${id}`);
  }
  assertWaiting(task);
  const form = task.human_task?.form;
  if (!form) throw AppError.conflict(`Human task ${id} has no form snapshot`);
  const data = effectiveData(form, body.data, task.human_task?.prefill);
  const errors = submissionErrors(form, body.action, data);
  if (errors.length > 0) throw AppError.unprocessable('The submission does not fit the form', errors);
  if (!task.temporal_workflow_id || TERMINAL_WORKFLOW_STATUSES.includes(task.workflow_status as WorkflowInstanceStatus))
    throw AppError.conflict(`The run of human task ${id} is no longer running`);

  const submission: HumanTaskSubmission = {
    taskId: task.id,
    action: body.action,
    data,
    submittedBy: actor.username,
    ...(body.comment !== undefined && { comment: body.comment }),
    at: new Date().toISOString(),
  };
  const handle = deps.temporal.workflow.getHandle(task.temporal_workflow_id);
  let result: HumanTaskSubmitResult;
  try {
    result = await deps.temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
      handle.executeUpdate(humanTaskSubmitUpdate, { args: [submission] }),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw AppError.conflict(`The run of human task ${id} is no longer running`);
    throw rejection(err) ?? err;
  }
  return { task: await reloaded(deps.db, id, actor), result };
}
