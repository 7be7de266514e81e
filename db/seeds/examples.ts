/** The example definitions loaded by `npm run seed` (plain data, in the definition language of common/definitions). */
import type { WorkflowDefinition } from '../../common/definitions/types';
import type { TaskDefinitionInsert } from '../repositories/task-definitions';
import type { EventDefinitionInsert } from '../repositories/event-definitions';
import type { UiComponentInsert } from '../repositories/ui-components';

const ORDER_SCHEMA = {
  type: 'object',
  required: ['orderId', 'customer', 'items'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    customer: {
      type: 'object',
      required: ['email'],
      properties: { email: { type: 'string' }, name: { type: 'string' } },
    },
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'price'],
        properties: {
          sku: { type: 'string' },
          quantity: { type: 'integer', minimum: 1 },
          price: { type: 'number', minimum: 0 },
        },
      },
    },
  },
} as const;

/** Two task definitions: echo (returns its input) and transform (JSONata over the input). */
export const TASKS: TaskDefinitionInsert[] = [
  {
    task_id: 'echo',
    version: '1.0.0',
    name: 'Echo',
    type: 'echo',
    description: 'Returns its input unchanged (demos and tests).',
    config: {},
    input_schema: { type: 'object' },
    output_schema: { type: 'object' },
    retry_policy: { max_attempts: 3, initial_interval: '1s', backoff_coefficient: 2 },
    timeouts: { start_to_close: '10s' },
  },
  {
    task_id: 'order-total',
    version: '1.0.0',
    name: 'Compute order total',
    type: 'transform',
    description: 'Sums price x quantity over the order items.',
    config: { expression: '{ "orderId": order.orderId, "total": $sum(order.items.(price * quantity)) }' },
    input_schema: { type: 'object', required: ['order'], properties: { order: ORDER_SCHEMA } },
    output_schema: {
      type: 'object',
      required: ['orderId', 'total'],
      properties: { orderId: { type: 'string' }, total: { type: 'number' } },
    },
    retry_policy: { max_attempts: 1 },
    timeouts: { start_to_close: '5s' },
  },
];

/** The order.created event type. */
export const ORDER_CREATED_EVENT: EventDefinitionInsert = {
  event_id: 'OrderEvents.created',
  version: '1.0.0',
  name: 'Order created',
  pattern: 'order.created',
  description: 'A customer placed an order.',
  source_types: ['external', 'workflow'],
  payload_schema: ORDER_SCHEMA,
  examples: [
    {
      orderId: 'o-1001',
      customer: { email: 'ada@example.com', name: 'Ada' },
      items: [{ sku: 'book', quantity: 2, price: 12.5 }],
    },
  ],
  ui_metadata: { icon: 'shopping-cart', color: '#2f855a', category: 'orders', priority: 'high' },
};

/** A simple order workflow: total the order, route large ones, echo a confirmation, succeed. */
export const ORDER_WORKFLOW: WorkflowDefinition & { description: string; input_schema: Record<string, unknown> } = {
  workflow_id: 'order-processing',
  version: '1.0.0',
  name: 'Order processing',
  description: 'Computes the order total, flags large orders for review, confirms the order.',
  input_schema: { type: 'object', required: ['order'], properties: { order: ORDER_SCHEMA } },
  steps: [
    { id: 'total', type: 'task', task: 'order-total', input: { order: '{% $input.order %}' } },
    {
      id: 'route',
      type: 'switch',
      cases: [{ when: '{% $steps.total.output.total > 1000 %}', next: 'flag-review' }],
      default: 'confirm',
    },
    {
      id: 'flag-review',
      type: 'task',
      task: 'echo',
      input: { orderId: '{% $input.order.orderId %}', review: true },
      next: 'confirm',
    },
    {
      id: 'confirm',
      type: 'task',
      task: 'echo',
      input: {
        orderId: '{% $input.order.orderId %}',
        email: '{% $input.order.customer.email %}',
        total: '{% $steps.total.output.total %}',
      },
    },
    {
      id: 'done',
      type: 'succeed',
      output: { orderId: '{% $input.order.orderId %}', total: '{% $steps.total.output.total %}', confirmed: true },
    },
  ],
};

const EXPENSE_SCHEMA = {
  type: 'object',
  required: ['expenseId', 'employee', 'amount'],
  properties: {
    expenseId: { type: 'string', minLength: 1, maxLength: 100 },
    employee: { type: 'string', minLength: 1, maxLength: 255 },
    amount: { type: 'number', minimum: 0 },
    description: { type: 'string', maxLength: 2000 },
  },
} as const;

/** The expense.submitted event type: starts the approval example. */
export const EXPENSE_SUBMITTED_EVENT: EventDefinitionInsert = {
  event_id: 'ExpenseEvents.submitted',
  version: '1.0.0',
  name: 'Expense submitted',
  pattern: 'expense.submitted',
  description: 'An employee submitted an expense for approval.',
  source_types: ['external', 'workflow'],
  payload_schema: EXPENSE_SCHEMA,
  examples: [{ expenseId: 'exp-1001', employee: 'Ada Lovelace', amount: 420, description: 'Conference ticket' }],
  ui_metadata: { icon: 'receipt', color: '#2b6cb0', category: 'expenses', priority: 'normal' },
};

/** The expense.decided event type: the approval example publishes its decision. */
export const EXPENSE_DECIDED_EVENT: EventDefinitionInsert = {
  event_id: 'ExpenseEvents.decided',
  version: '1.0.0',
  name: 'Expense decided',
  pattern: 'expense.decided',
  description: 'An expense was approved (by policy or by a person) or rejected.',
  source_types: ['workflow'],
  payload_schema: {
    type: 'object',
    required: ['expenseId', 'decision'],
    properties: {
      expenseId: { type: 'string' },
      decision: {
        type: 'object',
        required: ['approved', 'by'],
        properties: {
          approved: { type: 'boolean' },
          amount: { type: 'number' },
          note: { type: 'string' },
          by: { type: 'string' },
        },
      },
    },
  },
  examples: [{ expenseId: 'exp-1001', decision: { approved: true, amount: 400, note: 'capped', by: 'admin' } }],
  ui_metadata: { icon: 'check', color: '#2f855a', category: 'expenses', priority: 'normal' },
};

/** The approval form of the example: the request read-only, the approver's amount and note, two actions. */
export const EXPENSE_APPROVAL_FORM: UiComponentInsert = {
  component_id: 'expense-approval',
  version: '1.0.0',
  name: 'Expense approval',
  description: 'Approve or reject an expense; rejecting needs a note.',
  component_type: 'form',
  form_schema: {
    type: 'object',
    properties: {
      ...EXPENSE_SCHEMA.properties,
      approved_amount: { type: 'number', minimum: 0, title: 'Approved amount' },
      decision_note: { type: 'string', minLength: 3, maxLength: 2000 },
    },
  },
  layout: {
    sections: [
      { title: 'Request', fields: ['expenseId', 'employee', 'amount', 'description'] },
      { title: 'Decision', fields: ['approved_amount', 'decision_note'] },
    ],
    fields: {
      expenseId: { label: 'Expense', readonly: true },
      employee: { label: 'Employee', readonly: true },
      amount: { label: 'Amount claimed (EUR)', readonly: true },
      description: { label: 'What for', widget: 'textarea', readonly: true },
      approved_amount: { label: 'Approved amount (EUR)', help: 'Defaults to the amount claimed' },
      decision_note: { label: 'Note', widget: 'textarea', help: 'Required when you reject (3 characters or more)' },
    },
  },
  actions: [
    { id: 'approve', label: 'Approve', style: 'primary', requires: ['approved_amount'] },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['decision_note'] },
  ],
};

/** Roles of the approval example: who approves, and who gets the task when nobody did within 4 hours. */
export const EXPENSE_ROLES = [
  {
    role_id: 'approvers',
    name: 'Expense approvers',
    description: 'Approve expenses (example workflow expense-approval)',
    permissions: [
      'human_tasks:read',
      'human_tasks:work',
      'workflow_instances:read',
      'workflow_definitions:read',
      'events:read',
    ],
  },
  {
    role_id: 'finance-managers',
    name: 'Finance managers',
    description: 'Receive expense approvals nobody handled in time (example workflow expense-approval)',
    permissions: [
      'human_tasks:read',
      'human_tasks:work',
      'human_tasks:assign',
      'workflow_instances:read',
      'workflow_definitions:read',
      'events:read',
    ],
  },
];

/**
 * An approval workflow: small expenses are approved by policy; the rest wait for a person of the `approvers`
 * role (or `admin`, so a newcomer logged in as admin finds it in the console inbox), escalating to
 * `finance-managers` after 4 hours; the decision is published as expense.decided.
 */
export const EXPENSE_WORKFLOW: WorkflowDefinition & { description: string; input_schema: Record<string, unknown> } = {
  workflow_id: 'expense-approval',
  version: '1.0.0',
  name: 'Expense approval',
  description: 'Approves small expenses by policy; asks an approver for the rest, escalating after 4 hours.',
  input_schema: { type: 'object', required: ['expense'], properties: { expense: EXPENSE_SCHEMA } },
  steps: [
    {
      id: 'policy',
      type: 'switch',
      cases: [{ when: '{% $input.expense.amount <= 50 %}', next: 'auto-approve' }],
      default: 'review',
    },
    {
      id: 'review',
      type: 'human_task',
      form: { component_id: 'expense-approval', version: '1.0.0' },
      title:
        'Expense {% $input.expense.expenseId %}: {% $input.expense.amount %} EUR for {% $input.expense.employee %}',
      description: '{% $input.expense.description %}',
      candidate_roles: ['approvers', 'admin'],
      prefill: {
        expenseId: '{% $input.expense.expenseId %}',
        employee: '{% $input.expense.employee %}',
        amount: '{% $input.expense.amount %}',
        description: '{% $input.expense.description %}',
        approved_amount: '{% $input.expense.amount %}',
      },
      due: 'P1D',
      escalations: [{ after: 'PT4H', assign: { role: 'finance-managers' } }],
      output: {
        approved: "{% $output.action = 'approve' %}",
        amount: "{% $output.action = 'approve' ? $output.data.approved_amount : 0 %}",
        note: '{% $output.data.decision_note %}',
        by: '{% $output.submitted_by %}',
      },
      result_var: 'decision',
      next: 'announce',
    },
    {
      id: 'auto-approve',
      type: 'set',
      vars: {
        decision: { approved: true, amount: '{% $input.expense.amount %}', note: 'within policy', by: 'policy' },
      },
    },
    {
      id: 'announce',
      type: 'emit_event',
      event: 'expense.decided',
      payload: { expenseId: '{% $input.expense.expenseId %}', decision: '{% $vars.decision %}' },
    },
    { id: 'done', type: 'succeed', output: '{% $vars.decision %}' },
  ],
};
