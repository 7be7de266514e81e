/**
 * Human task rows for API tests that need tasks without a run waiting on them (list, claim, release, assign,
 * comments, validation): a workflow_instances row (no Temporal run behind it) and task_instances rows shaped as
 * the human_task step's openHumanTask writes them.
 */
import type { Knex } from 'knex';
import { randomBytes, randomUUID } from 'node:crypto';
import type { FormSnapshot, HumanTaskRecord } from '../../common/contracts/human-tasks';
import { TASK_INSTANCES } from '../../db/repositories/task-instances';
import { insertWorkflowInstance } from '../../db/repositories/workflow-instances';
import { createWorkflowDefinition } from '../../services/definitions';

const hex = () => randomBytes(5).toString('hex');

/** The brief's example form: `amount` (read-only), `decision_note` (required, minLength 3), approve / reject. */
export const EXPENSE_FORM: FormSnapshot = {
  componentId: 'expense-approval',
  version: '1.0.0',
  name: 'Expense approval',
  schema: {
    type: 'object',
    required: ['decision_note'],
    properties: { amount: { type: 'number' }, decision_note: { type: 'string', minLength: 3 } },
  },
  layout: {
    sections: [
      { title: 'Request', fields: ['amount'] },
      { title: 'Decision', fields: ['decision_note'] },
    ],
    fields: {
      amount: { label: 'Amount (EUR)', readonly: true },
      decision_note: { label: 'Note', widget: 'textarea', help: 'Why?' },
    },
  },
  actions: [
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['decision_note'] },
  ],
};

/** A run row (definition `workflowId`, created as a draft when missing) that human task rows can belong to. */
export async function createRunRow(
  db: Knex,
  workflowId = `ht-${hex()}`,
): Promise<{ instanceId: string; workflowId: string }> {
  let def = await db('workflow_orchestrator_service.workflow_definitions').where({ workflow_id: workflowId }).first();
  if (!def)
    def = await createWorkflowDefinition(db, {
      workflow_id: workflowId,
      name: 'human task test flow',
      version: '1.0.0',
      steps: [{ id: 'done', type: 'succeed' }],
    });
  const instanceId = randomUUID();
  await insertWorkflowInstance(db, {
    id: instanceId,
    temporal_workflow_id: `${workflowId}:${instanceId}`,
    workflow_definition_id: (def as { id: string }).id,
    definition_workflow_id: workflowId,
    definition_version: '1.0.0',
    status: 'waiting',
  });
  return { instanceId, workflowId };
}

/** What a test task looks like (defaults: unclaimed, no candidates, the expense form, waiting). */
export interface TestTask {
  workflowInstanceId: string;
  assignee?: string | null;
  candidateUsers?: string[];
  candidateRoles?: string[];
  dueAt?: Date;
  title?: string;
  prefill?: unknown;
  form?: FormSnapshot;
  status?: 'waiting' | 'completed' | 'cancelled';
  createdAt?: Date;
}

/** Inserts a human task row as openHumanTask would; returns its id. */
export async function insertHumanTask(db: Knex, t: TestTask): Promise<string> {
  const record: HumanTaskRecord = {
    title: t.title ?? 'Approve expense',
    form: t.form ?? EXPENSE_FORM,
    prefill: t.prefill ?? { amount: 120 },
    approvals: { required: 1, approveAction: 'approve', allowStarter: true },
    submissions: [],
    escalationLevel: 0,
  };
  const id = randomUUID();
  await db(TASK_INSTANCES).insert({
    id,
    workflow_instance_id: t.workflowInstanceId,
    step_id: 'review',
    step_type: 'human_task',
    execution_key: `review:${hex()}`,
    status: t.status ?? 'waiting',
    assignee: t.assignee ?? null,
    candidate_users: t.candidateUsers ?? [],
    candidate_roles: t.candidateRoles ?? [],
    due_at: t.dueAt ?? null,
    human_task: JSON.stringify(record),
    created_at: t.createdAt ?? new Date(),
    ...(t.assignee && { claimed_at: new Date() }),
  });
  await db('task_execution_service.human_task_events').insert({
    task_instance_id: id,
    workflow_instance_id: t.workflowInstanceId,
    kind: 'created',
    actor: 'system',
  });
  return id;
}

/** Adds the user to a role (created when missing, without permissions). */
export async function addUserToRole(db: Knex, userId: string, roleId: string): Promise<void> {
  let role = (await db('auth_service.roles').where({ role_id: roleId }).first()) as { id: string } | undefined;
  if (!role)
    [role] = (await db('auth_service.roles')
      .insert({ role_id: roleId, name: roleId, is_system: false })
      .returning('id')) as Array<{ id: string }>;
  await db('auth_service.user_roles').insert({ user_id: userId, role_id: role!.id }).onConflict().ignore();
}
