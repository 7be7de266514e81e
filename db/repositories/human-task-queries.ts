/**
 * What the API reads and changes of human tasks (#12): the inbox lists, one task with its run, the audit trail
 * (task_execution_service.human_task_events) and the assignment changes people make (claim, release, assign).
 * The run's own writes (open, escalate, complete, withdraw) live in ./human-tasks.ts.
 *
 * An assignment change is one conditional UPDATE: it applies only while the task is `waiting` and its assignee
 * is still the one the caller decided on, so of two concurrent claims exactly one matches (the second waits for
 * the first's row lock, re-reads the row and no longer matches). The change and its event commit together.
 */
import type { Knex } from 'knex';
import type { HumanTaskEventKind, HumanTaskRecord, HumanTaskSort } from '../../common/contracts/human-tasks';
import { paginateSelect, type Page, type PageRequest } from './keyset';
import type { Db } from './sql';
import { TASK_INSTANCES, type TaskInstanceStatus } from './task-instances';

export const HUMAN_TASK_EVENTS = 'task_execution_service.human_task_events';
const WORKFLOW_INSTANCES = 'workflow_orchestrator_service.workflow_instances';

/** A human task: its task_instances row with the run's definition id, Temporal id and status. */
export interface HumanTaskRow {
  id: string;
  workflow_instance_id: string;
  step_id: string;
  status: TaskInstanceStatus;
  assignee: string | null;
  candidate_users: string[];
  candidate_roles: string[];
  due_at: Date | null;
  claimed_at: Date | null;
  human_task: HumanTaskRecord | null;
  output: unknown;
  created_at: Date;
  completed_at: Date | null;
  updated_at: Date;
  /** Business id of the run's definition (workflow_instances.definition_workflow_id). */
  workflow_id: string | null;
  temporal_workflow_id: string | null;
  workflow_status: string | null;
  /** The run's trigger (its `startedBy` is the run's starter). */
  trigger: Record<string, unknown> | null;
}

/** One row of a task's audit trail. */
export interface HumanTaskEventRow {
  id: string;
  task_instance_id: string;
  workflow_instance_id: string;
  kind: HumanTaskEventKind;
  actor: string;
  details: Record<string, unknown>;
  created_at: Date;
}

/** Which tasks a list shows relative to the caller. */
export type HumanTaskScope = 'inbox' | 'mine' | 'available' | 'all';

/** Filters of the task list; `username`/`roles` are the caller's (for the scopes other than `all`). */
export interface HumanTaskFilter {
  scope: HumanTaskScope;
  username: string;
  roles: string[];
  status?: TaskInstanceStatus;
  workflowId?: string;
  workflowInstanceId?: string;
  assignee?: string;
  dueBefore?: Date;
  createdAfter?: string;
  createdBefore?: string;
  /** `created` (default): newest first; `due`: soonest due first, tasks without a due time last. */
  sort?: HumanTaskSort;
}

const COLUMNS = [
  'ti.id',
  'ti.workflow_instance_id',
  'ti.step_id',
  'ti.status',
  'ti.assignee',
  'ti.candidate_users',
  'ti.candidate_roles',
  'ti.due_at',
  'ti.claimed_at',
  'ti.human_task',
  'ti.output',
  'ti.created_at',
  'ti.completed_at',
  'ti.updated_at',
  'wi.definition_workflow_id as workflow_id',
  'wi.temporal_workflow_id',
  'wi.status as workflow_status',
  'wi.trigger',
];

function tasksQuery(db: Db): Knex.QueryBuilder {
  return db({ ti: TASK_INSTANCES })
    .leftJoin({ wi: WORKFLOW_INSTANCES }, 'wi.id', 'ti.workflow_instance_id')
    .where('ti.step_type', 'human_task');
}

/** Unclaimed and offered to the user by name or through one of their roles. */
function offeredTo(qb: Knex.QueryBuilder, username: string, roles: string[]): void {
  qb.whereNull('ti.assignee').andWhere((o) => {
    o.whereRaw('? = ANY(ti.candidate_users)', [username]);
    if (roles.length > 0) o.orWhereRaw('ti.candidate_roles && ?::text[]', [roles]);
  });
}

/** The role ids (auth_service.roles.role_id) of a user. */
export async function roleIdsOfUser(db: Db, userId: string): Promise<string[]> {
  const rows = (await db({ ur: 'auth_service.user_roles' })
    .join({ r: 'auth_service.roles' }, 'r.id', 'ur.role_id')
    .where('ur.user_id', userId)
    .select('r.role_id')) as Array<{ role_id: string }>;
  return rows.map((r) => r.role_id);
}

/** One page of human tasks, newest first or (sort `due`) soonest due first. */
export function listHumanTasks(db: Db, f: HumanTaskFilter, page: PageRequest = {}): Promise<Page<HumanTaskRow>> {
  const q = tasksQuery(db).select(COLUMNS);
  if (f.scope === 'mine') q.where('ti.assignee', f.username);
  else if (f.scope === 'available') q.where((w) => offeredTo(w, f.username, f.roles));
  else if (f.scope === 'inbox')
    q.where((w) => w.where('ti.assignee', f.username).orWhere((o) => offeredTo(o, f.username, f.roles)));
  if (f.status) q.where('ti.status', f.status);
  if (f.workflowId) q.where('wi.definition_workflow_id', f.workflowId);
  if (f.workflowInstanceId) q.where('ti.workflow_instance_id', f.workflowInstanceId);
  if (f.assignee) q.where('ti.assignee', f.assignee);
  if (f.dueBefore) q.where('ti.due_at', '<', f.dueBefore);
  if (f.createdAfter) q.where('ti.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('ti.created_at', '<', f.createdBefore);
  return paginateSelect<HumanTaskRow>(
    q,
    page,
    f.sort === 'due'
      ? { column: 'ti.due_at', idColumn: 'ti.id', order: 'asc', nullable: true }
      : { column: 'ti.created_at', idColumn: 'ti.id' },
  );
}

/** One human task by id (undefined: no such row, or not a human task). */
export async function getHumanTask(db: Db, id: string): Promise<HumanTaskRow | undefined> {
  return (await tasksQuery(db).select(COLUMNS).where('ti.id', id).first()) as HumanTaskRow | undefined;
}

/** An audit event to write. */
export interface HumanTaskEventInsert {
  taskInstanceId: string;
  workflowInstanceId: string;
  kind: HumanTaskEventKind;
  actor: string;
  details?: Record<string, unknown>;
}

/** Writes one audit event and returns it. */
export async function insertHumanTaskEvent(db: Db, e: HumanTaskEventInsert): Promise<HumanTaskEventRow> {
  const [row] = (await db(HUMAN_TASK_EVENTS)
    .insert({
      task_instance_id: e.taskInstanceId,
      workflow_instance_id: e.workflowInstanceId,
      kind: e.kind,
      actor: e.actor,
      details: JSON.stringify(e.details ?? {}),
    })
    .returning('*')) as HumanTaskEventRow[];
  return row!;
}

/** A task's audit trail (or only its events of `kind`), oldest first, at most `limit` rows. */
export async function listHumanTaskEvents(
  db: Db,
  taskInstanceId: string,
  kind?: HumanTaskEventKind,
  limit = 1000,
): Promise<HumanTaskEventRow[]> {
  const q = db(HUMAN_TASK_EVENTS)
    .where('task_instance_id', taskInstanceId)
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit);
  if (kind) q.where('kind', kind);
  return (await q) as HumanTaskEventRow[];
}

/** The new assignment an action sets (`candidate*` only when they change). */
export interface AssignmentChange {
  assignee: string | null;
  candidateUsers?: string[];
  candidateRoles?: string[];
}

/**
 * Changes the assignment of an open task, with its audit event, in one transaction: applies only while the task
 * is `waiting` and its assignee is still `expectedAssignee` (null = unclaimed). Undefined when it did not apply
 * (the task changed meanwhile: the caller answers 409).
 */
export async function changeAssignment(
  db: Knex,
  task: Pick<HumanTaskRow, 'id' | 'workflow_instance_id'>,
  expectedAssignee: string | null,
  change: AssignmentChange,
  event: Omit<HumanTaskEventInsert, 'taskInstanceId' | 'workflowInstanceId'>,
): Promise<HumanTaskEventRow | undefined> {
  return db.transaction(async (trx) => {
    const set: Record<string, unknown> = {
      assignee: change.assignee,
      claimed_at: change.assignee === null ? null : trx.fn.now(),
      updated_at: trx.fn.now(),
    };
    if (change.candidateUsers) set.candidate_users = change.candidateUsers;
    if (change.candidateRoles) set.candidate_roles = change.candidateRoles;
    const q = trx(TASK_INSTANCES)
      .where({ id: task.id, step_type: 'human_task', status: 'waiting' })
      .update(set)
      .returning('id');
    if (expectedAssignee === null) q.whereNull('assignee');
    else q.where('assignee', expectedAssignee);
    const updated = (await q) as unknown[];
    if (updated.length === 0) return undefined;
    return insertHumanTaskEvent(trx, {
      ...event,
      taskInstanceId: task.id,
      workflowInstanceId: task.workflow_instance_id,
    });
  });
}

/** The names among `usernames` that are users (auth_service.users.username). */
export async function existingUsernames(db: Db, usernames: string[]): Promise<Set<string>> {
  if (usernames.length === 0) return new Set();
  const rows = (await db('auth_service.users').whereIn('username', usernames).select('username')) as Array<{
    username: string;
  }>;
  return new Set(rows.map((r) => r.username));
}

/** The ids among `roleIds` that are roles (auth_service.roles.role_id). */
export async function existingRoleIds(db: Db, roleIds: string[]): Promise<Set<string>> {
  if (roleIds.length === 0) return new Set();
  const rows = (await db('auth_service.roles').whereIn('role_id', roleIds).select('role_id')) as Array<{
    role_id: string;
  }>;
  return new Set(rows.map((r) => r.role_id));
}

/** A user or role a task may be given to, as an assignment picker shows it. */
export interface AssigneeChoices {
  users: Array<{ username: string; display_name: string | null }>;
  roles: Array<{ role_id: string; name: string }>;
}

/**
 * Active users and roles whose name or id contains `q` (case-insensitive; every one when `q` is empty), at most
 * `limit` of each: names that start with `q` first, then alphabetically.
 */
export async function findAssignees(db: Db, q: string, limit: number): Promise<AssigneeChoices> {
  const literal = q.replace(/[\\%_]/g, (c) => `\\${c}`); // LIKE's own characters in q match themselves
  const pattern = `%${literal}%`;
  const prefix = `${literal}%`;
  const [users, roles] = await Promise.all([
    db('auth_service.users')
      .where('status', 'active')
      .andWhere((w) => w.whereILike('username', pattern).orWhereILike('display_name', pattern))
      .select('username', 'display_name')
      .orderByRaw('(username ILIKE ?) DESC, username', [prefix])
      .limit(limit) as Promise<AssigneeChoices['users']>,
    db('auth_service.roles')
      .where((w) => w.whereILike('role_id', pattern).orWhereILike('name', pattern))
      .select('role_id', 'name')
      .orderByRaw('(role_id ILIKE ?) DESC, role_id', [prefix])
      .limit(limit) as Promise<AssigneeChoices['roles']>,
  ]);
  return { users, roles };
}
