/**
 * Human tasks (#12). A `human_task` step is a task_instances row (step_type 'human_task', status 'waiting'
 * while people work on it) with its assignment, due time and form snapshot in new columns; every action on it
 * (created, claimed, released, assigned, escalated, overdue, commented, submitted, completed, withdrawn) is a row of
 * task_execution_service.human_task_events. Also seeds the human_tasks permissions and grants them to the
 * built-in roles.
 */
import type { Knex } from 'knex';
import { touchUpdatedAt } from './helpers';

const WF = 'workflow_orchestrator_service';
const TASK = 'task_execution_service';
const AUTH = 'auth_service';

/** Kinds of human_task_events rows (the audit trail shown on a task; `commented` rows are its comments). */
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

const PERMISSIONS: Array<[string, string]> = [
  ['human_tasks:read', 'See human tasks offered to you (inbox, task, form, history)'],
  ['human_tasks:work', 'Claim, release, comment on and complete human tasks offered to you'],
  ['human_tasks:assign', 'Reassign any human task to a user or role'],
  ['human_tasks:admin', 'See and act on every human task, not only those offered to you'],
];

const GRANTS: Record<string, string[]> = {
  operator: ['human_tasks:read', 'human_tasks:work', 'human_tasks:assign', 'human_tasks:admin'],
  viewer: ['human_tasks:read'],
};

/** Adds the human-task columns, the audit table and the permissions. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE ${TASK}.task_instances
    ADD COLUMN assignee varchar(255),
    ADD COLUMN candidate_users text[] NOT NULL DEFAULT '{}',
    ADD COLUMN candidate_roles text[] NOT NULL DEFAULT '{}',
    ADD COLUMN due_at timestamptz,
    ADD COLUMN claimed_at timestamptz,
    ADD COLUMN human_task jsonb`);
  // The inbox: open human tasks by assignee, and unclaimed ones by candidate user or role.
  await knex.raw(`CREATE INDEX task_instances_human_open_assignee ON ${TASK}.task_instances (assignee, created_at, id)
    WHERE step_type = 'human_task' AND status = 'waiting'`);
  await knex.raw(`CREATE INDEX task_instances_human_open_candidates ON ${TASK}.task_instances
    USING gin (candidate_users, candidate_roles) WHERE step_type = 'human_task' AND status = 'waiting'`);
  await knex.raw(`CREATE INDEX task_instances_human ON ${TASK}.task_instances (created_at, id)
    WHERE step_type = 'human_task'`);

  await knex.raw(`CREATE TABLE ${TASK}.human_task_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    task_instance_id uuid NOT NULL,
    workflow_instance_id uuid NOT NULL REFERENCES ${WF}.workflow_instances (id) ON DELETE CASCADE,
    kind varchar(32) NOT NULL CHECK (kind IN (${HUMAN_TASK_EVENT_KINDS.map((k) => `'${k}'`).join(', ')})),
    -- username, or 'system' for what the run did (escalation, withdrawal)
    actor varchar(255) NOT NULL,
    details jsonb NOT NULL DEFAULT '{}',
    -- Set by writes a retried activity may repeat (created, escalated, overdue, completed, withdrawn): one row per key.
    dedupe_key varchar(512) UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`);
  await touchUpdatedAt(knex, `${TASK}.human_task_events`);
  await knex.raw(`CREATE INDEX human_task_events_task ON ${TASK}.human_task_events (task_instance_id, created_at, id)`);
  await knex.raw(`CREATE INDEX human_task_events_instance ON ${TASK}.human_task_events (workflow_instance_id)`);

  for (const [permission_id, name] of PERMISSIONS) {
    const [resource, action] = permission_id.split(':');
    await knex(`${AUTH}.permissions`)
      .insert({ permission_id, resource, action, name })
      .onConflict('permission_id')
      .ignore();
  }
  for (const [role_id, grants] of Object.entries(GRANTS)) {
    await knex.raw(
      `INSERT INTO ${AUTH}.role_permissions (role_id, permission_id)
       SELECT r.id, p.id FROM ${AUTH}.roles r JOIN ${AUTH}.permissions p ON p.permission_id = ANY(?)
        WHERE r.role_id = ? ON CONFLICT DO NOTHING`,
      [grants, role_id],
    );
  }
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
