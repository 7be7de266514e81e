/**
 * The run's writes of human tasks (#12): the form lookups of `openHumanTask`, the task_instances row of a task
 * (step_type 'human_task') and its audit trail in task_execution_service.human_task_events. Every write may be
 * repeated by a retried activity: the row is keyed like the task mirror's (workflow_instance_id, execution_key,
 * created_at = the workflow time of the opening), every event carries a dedupe_key, and a row change applies
 * only together with the first insert of its event. (The API's reads and claim/assign live in
 * human-task-queries.ts.)
 */
import type { Db } from './sql';

const UI_COMPONENTS = 'web_application_service.ui_components';
const TASK_DEFINITIONS = 'task_execution_service.task_definitions';
const TASK_INSTANCES = 'task_execution_service.task_instances';
const EVENTS = 'task_execution_service.human_task_events';

/** The columns of a ui_components row a form snapshot is built from. */
export interface FormComponentRow {
  id: string;
  component_id: string;
  version: string;
  name: string;
  component_type: string;
  form_schema: Record<string, unknown> | boolean | null;
  ui_schema: Record<string, unknown> | null;
  layout: unknown;
  actions: unknown;
}

const COMPONENT_COLUMNS = [
  'id',
  'component_id',
  'version',
  'name',
  'component_type',
  'form_schema',
  'ui_schema',
  'layout',
  'actions',
];

/** A form component by business id: the given version, or the newest active one. */
export async function findFormComponent(
  db: Db,
  componentId: string,
  version?: string,
): Promise<FormComponentRow | undefined> {
  const q = db(UI_COMPONENTS).select(COMPONENT_COLUMNS).where({ component_id: componentId, component_type: 'form' });
  if (version !== undefined) q.andWhere({ version });
  else q.andWhere({ status: 'active' }).orderBy('created_at', 'desc');
  return (await q.first()) as FormComponentRow | undefined;
}

/** A form component by row id (a task definition's ui_component_id). */
export async function findFormComponentById(db: Db, id: string): Promise<FormComponentRow | undefined> {
  return (await db(UI_COMPONENTS).select(COMPONENT_COLUMNS).where({ id, component_type: 'form' }).first()) as
    FormComponentRow | undefined;
}

/** What a human task needs of a task definition. */
export interface ManualTaskRow {
  id: string;
  task_id: string;
  version: string;
  type: string;
  ui_component_id: string | null;
}

/** A task definition by business id: the given version, or the newest active one. */
export async function findManualTask(db: Db, taskId: string, version?: string): Promise<ManualTaskRow | undefined> {
  const q = db(TASK_DEFINITIONS)
    .select(['id', 'task_id', 'version', 'type', 'ui_component_id'])
    .where({ task_id: taskId });
  if (version !== undefined) q.andWhere({ version });
  else q.andWhere({ status: 'active' }).orderBy('created_at', 'desc');
  return (await q.first()) as ManualTaskRow | undefined;
}

/** The row of a newly opened human task. */
export interface HumanTaskInsert {
  workflow_instance_id: string;
  execution_key: string;
  created_at: Date;
  task_definition_id: string | null;
  task_id: string | null;
  task_version: string | null;
  step_id: string;
  step_path: string;
  assignee: string | null;
  candidate_users: string[];
  candidate_roles: string[];
  due_at: Date | null;
  /** HumanTaskRecord. */
  human_task: unknown;
  /** The prefilled data (also in human_task.prefill): the row's input. */
  input: unknown;
}

/** One audit event (actor 'system' for what the run does). */
export interface HumanTaskEventInsert {
  task_instance_id: string;
  workflow_instance_id: string;
  kind: 'created' | 'assigned' | 'escalated' | 'overdue' | 'submitted' | 'completed' | 'withdrawn';
  actor: string;
  details: Record<string, unknown>;
  dedupe_key: string;
  created_at: Date;
}

const json = (v: unknown) => JSON.stringify(v === undefined ? null : v);

/** Inserts the task's row unless it exists (same key); returns its id either way. */
export async function insertHumanTask(db: Db, row: HumanTaskInsert): Promise<string> {
  const values = {
    ...row,
    step_type: 'human_task',
    status: 'waiting',
    started_at: row.created_at,
    human_task: json(row.human_task),
    input: json(row.input),
  };
  const inserted = await db(TASK_INSTANCES)
    .insert(values)
    .onConflict(['workflow_instance_id', 'execution_key', 'created_at'])
    .ignore()
    .returning('id');
  if (inserted.length > 0) return (inserted[0] as { id: string }).id;
  const existing = (await db(TASK_INSTANCES)
    .select('id')
    .where({
      workflow_instance_id: row.workflow_instance_id,
      execution_key: row.execution_key,
      created_at: row.created_at,
    })
    .first()) as { id: string } | undefined;
  if (!existing) throw new Error(`human task row ${row.execution_key} neither inserted nor found`);
  return existing.id;
}

/** Inserts an audit event; false when its dedupe_key was already written (a retried write). */
export async function insertHumanTaskEvent(db: Db, event: HumanTaskEventInsert): Promise<boolean> {
  const rows = await db(EVENTS)
    .insert({ ...event, details: json(event.details) })
    .onConflict('dedupe_key')
    .ignore()
    .returning('id');
  return rows.length > 0;
}

/** The workflow instance of an open or closed human task, or undefined when there is no such task. */
export async function humanTaskInstanceId(db: Db, taskId: string): Promise<string | undefined> {
  const row = (await db(TASK_INSTANCES)
    .select('workflow_instance_id')
    .where({ id: taskId, step_type: 'human_task' })
    .first()) as { workflow_instance_id: string } | undefined;
  return row?.workflow_instance_id;
}

/** A new assignment of an open task (escalation): the claim is dropped, the level recorded. */
export async function reassignHumanTask(
  db: Db,
  taskId: string,
  level: number,
  assignment?: { assignee: string | null; candidateUsers: string[]; candidateRoles: string[] },
): Promise<void> {
  await db(TASK_INSTANCES)
    .where({ id: taskId, step_type: 'human_task', status: 'waiting' })
    .update({
      ...(assignment && {
        assignee: assignment.assignee,
        candidate_users: assignment.candidateUsers,
        candidate_roles: assignment.candidateRoles,
        claimed_at: null,
      }),
      human_task: db.raw(`jsonb_set(human_task, '{escalationLevel}', to_jsonb(?::int))`, [level]),
    });
}

/** Appends an accepted submission to `human_task.submissions`. */
export async function appendHumanTaskSubmission(db: Db, taskId: string, submission: unknown): Promise<void> {
  await db(TASK_INSTANCES)
    .where({ id: taskId, step_type: 'human_task' })
    .update({
      human_task: db.raw(
        `jsonb_set(human_task, '{submissions}', coalesce(human_task->'submissions', '[]'::jsonb) || jsonb_build_array(?::jsonb))`,
        [json(submission)],
      ),
    });
}

/** Closes an open task: completed with its output, or cancelled (withdrawn). */
export async function closeHumanTask(
  db: Db,
  taskId: string,
  status: 'completed' | 'cancelled',
  at: Date,
  output?: unknown,
): Promise<void> {
  await db(TASK_INSTANCES)
    .where({ id: taskId, step_type: 'human_task', status: 'waiting' })
    .update({
      status,
      completed_at: at,
      duration_ms: db.raw('greatest(0, floor(extract(epoch from (?::timestamptz - created_at)) * 1000))::int', [at]),
      ...(output !== undefined && { output: json(output) }),
    });
}
