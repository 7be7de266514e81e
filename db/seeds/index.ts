/**
 * Example data for a first demo: an `echo` and a `transform` task, the `order.created` event, an order
 * workflow using them, and a START trigger on order.created; and an approval example: the `expense-approval`
 * form, the roles `approvers` and `finance-managers`, the `expense.submitted` event, the `expense-approval`
 * workflow with a human task, and its START trigger; and test definitions of both workflows and of the
 * order-total task (docs/testing.md), active, each pinned to the seeded target version. Idempotent: upserts on business ids (roles are created
 * when missing and never changed afterwards).
 */
import type { Knex } from 'knex';
import { taskDefinitions } from '../repositories/task-definitions';
import { eventDefinitions } from '../repositories/event-definitions';
import { workflowDefinitions } from '../repositories/workflow-definitions';
import { upsertTrigger } from '../repositories/workflow-event-triggers';
import { getRole, saveRole } from '../repositories/auth-roles';
import { uiComponents } from '../repositories/ui-components';
import { definitionRepository, type DefinitionRowBase } from '../repositories/definitions';
import {
  EXPENSE_APPROVAL_FORM,
  EXPENSE_DECIDED_EVENT,
  EXPENSE_ROLES,
  EXPENSE_SUBMITTED_EVENT,
  EXPENSE_WORKFLOW,
  ORDER_CREATED_EVENT,
  ORDER_WORKFLOW,
  TASKS,
  TEST_DEFINITIONS,
  type ExampleTestDefinition,
} from './examples';

/** What {@link seed} wrote. */
export interface SeedResult {
  tasks: string[];
  events: string[];
  workflows: string[];
  triggers: string[];
  forms: string[];
  roles: string[];
  /** test_id@version of the test definitions. */
  tests: string[];
}

type Trx = Parameters<Parameters<Knex['transaction']>[0]>[0];

const by = { created_by: 'seed', updated_by: 'seed' };

/** Loads the example definitions and trigger in one transaction. Safe to run any number of times. */
export async function seed(db: Knex): Promise<SeedResult> {
  return db.transaction(async (trx) => {
    await trx.raw("SELECT set_config('aos.actor', 'seed', true)");
    const tasks = [];
    for (const task of TASKS)
      tasks.push(
        await taskDefinitions.upsert(trx, { ...task, status: 'active', created_by: 'seed', updated_by: 'seed' }),
      );
    const event = await eventDefinitions.upsert(trx, {
      ...ORDER_CREATED_EVENT,
      status: 'active',
      created_by: 'seed',
      updated_by: 'seed',
    });
    const workflow = await upsertWorkflow(trx, ORDER_WORKFLOW);
    const trigger = await upsertTrigger(trx, {
      trigger_id: 'order-created-starts-order-processing',
      workflow_definition_id: workflow.id,
      event_definition_id: event.id,
      event_pattern: 'order.created',
      trigger_type: 'START',
      input_mapping: { order: '{% $event.payload %}' },
      correlation_key: '{% $event.payload.orderId %}',
      enabled: true,
      priority: 100,
      on_running: 'skip',
      description: 'Every new order starts the order-processing workflow',
    });
    const approval = await seedApprovalExample(trx);
    const tests = [];
    for (const test of TEST_DEFINITIONS) tests.push(await upsertTestDefinition(trx, test));
    return {
      tasks: tasks.map((t) => `${t.task_id}@${t.version}`),
      events: [`${event.event_id}@${event.version}`, ...approval.events],
      workflows: [`${workflow.workflow_id}@${workflow.version}`, approval.workflow],
      triggers: [trigger.trigger_id, approval.trigger],
      forms: [approval.form],
      roles: approval.roles,
      tests,
    };
  });
}

async function upsertWorkflow(trx: Trx, definition: typeof ORDER_WORKFLOW) {
  const { workflow_id, version, name, description, input_schema } = definition;
  return workflowDefinitions.upsert(trx, {
    workflow_id,
    version,
    name,
    description,
    input_schema,
    definition,
    status: 'active',
    ...by,
  });
}

const TEST_DEFINITIONS_TABLE = 'testing_framework_service.test_definitions';
const testDefinitions = definitionRepository<DefinitionRowBase & { test_id: string }, Record<string, unknown>>(
  TEST_DEFINITIONS_TABLE,
  'test_id',
);

/**
 * A test definition as the API stores it: the document's fields, its target pinned (target_version and the row id
 * of that version, as services/definitions/test-definitions.ts fills it), active.
 */
async function upsertTestDefinition(trx: Trx, test: ExampleTestDefinition): Promise<string> {
  const { test_id, version, name, description, target_type, target_id, target_version, test_cases, settings } = test;
  const repo = target_type === 'workflow' ? workflowDefinitions : taskDefinitions;
  const targetRow = await repo.getVersion(trx, target_id, target_version);
  if (!targetRow)
    throw new Error(`seed: test ${test_id} targets ${target_type} ${target_id}@${target_version}: missing`);
  const column = target_type === 'workflow' ? 'workflow_definition_id' : 'task_definition_id';
  const row = await testDefinitions.upsert(trx, {
    test_id,
    version,
    name,
    description,
    status: 'active',
    target_type,
    target_id,
    target_version,
    [column]: targetRow.id,
    test_cases,
    settings: settings ?? {},
    ...by,
  });
  return `${row.test_id}@${row.version}`;
}

/** The approval example: its form, roles, event, workflow and trigger. */
async function seedApprovalExample(trx: Trx) {
  const form = await uiComponents.upsert(trx, { ...EXPENSE_APPROVAL_FORM, status: 'active', ...by });
  const roles = [];
  for (const role of EXPENSE_ROLES) {
    if (!(await getRole(trx, role.role_id))) await saveRole(trx, role, true);
    roles.push(role.role_id);
  }
  const event = await eventDefinitions.upsert(trx, { ...EXPENSE_SUBMITTED_EVENT, status: 'active', ...by });
  const decided = await eventDefinitions.upsert(trx, { ...EXPENSE_DECIDED_EVENT, status: 'active', ...by });
  const workflow = await upsertWorkflow(trx, EXPENSE_WORKFLOW);
  const trigger = await upsertTrigger(trx, {
    trigger_id: 'expense-submitted-starts-expense-approval',
    workflow_definition_id: workflow.id,
    event_definition_id: event.id,
    event_pattern: 'expense.submitted',
    trigger_type: 'START',
    input_mapping: { expense: '{% $event.payload %}' },
    correlation_key: '{% $event.payload.expenseId %}',
    enabled: true,
    priority: 100,
    on_running: 'skip',
    description: 'Every submitted expense starts the expense-approval workflow',
  });
  return {
    form: `${form.component_id}@${form.version}`,
    roles,
    events: [`${event.event_id}@${event.version}`, `${decided.event_id}@${decided.version}`],
    workflow: `${workflow.workflow_id}@${workflow.version}`,
    trigger: trigger.trigger_id,
  };
}
