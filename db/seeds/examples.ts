/** The example definitions loaded by `npm run seed` (plain data, in the definition language of common/definitions). */
import type { WorkflowDefinition } from '../../common/definitions/types';
import type { TaskDefinitionInsert } from '../repositories/task-definitions';
import type { EventDefinitionInsert } from '../repositories/event-definitions';
import type { UiComponentInsert } from '../repositories/ui-components';
import type { TestDefinitionDocument } from '../../common/contracts/testing';

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

/** A test definition of the examples, as the seed stores it (always active, target pinned to the seeded version). */
export type ExampleTestDefinition = TestDefinitionDocument & { target_version: string; description: string };

const ORDER_INPUT = {
  orderId: 'o-1001',
  customer: { email: 'ada@example.com', name: 'Ada' },
  items: [{ sku: 'book', quantity: 2, price: 12.5 }],
};
const LARGE_ORDER_INPUT = {
  orderId: 'o-2002',
  customer: { email: 'grace@example.com' },
  items: [
    { sku: 'laptop', quantity: 1, price: 1400 },
    { sku: 'mouse', quantity: 2, price: 25 },
  ],
};

/** Tests of the order workflow: both switch branches with mocked tasks, the real tasks, a failing total. */
export const ORDER_TESTS: ExampleTestDefinition = {
  test_id: 'order-processing-tests',
  version: '1.0.0',
  name: 'Order processing',
  description: 'Both branches of the order workflow (small and large orders), with mocks and with the real tasks.',
  target_type: 'workflow',
  target_id: 'order-processing',
  target_version: '1.0.0',
  settings: { time_scale: 1000, case_timeout: '30s' },
  test_cases: [
    {
      case_id: 'small-order',
      name: 'A small order is confirmed without review',
      tags: ['example', 'smoke'],
      input: { order: ORDER_INPUT },
      mocks: [
        { step: 'total', output: { orderId: 'o-1001', total: 25 } },
        { step: 'confirm', output: { orderId: 'o-1001', confirmed: true } },
      ],
      expect: {
        status: 'completed',
        output: { orderId: 'o-1001', total: 25, confirmed: true },
        path: ['total', 'route', 'confirm', 'done'],
        path_excludes: ['flag-review'],
        steps: { route: { next: 'confirm' } },
        events: [],
      },
    },
    {
      case_id: 'large-order-review',
      name: 'An order over 1000 is flagged for review, then confirmed',
      tags: ['example'],
      input: { order: LARGE_ORDER_INPUT },
      mocks: [
        { step: 'total', output: { orderId: 'o-2002', total: 1450 } },
        // Every echo step (flag-review and confirm) answers its input, as the real echo task does.
        { task: 'echo', when: 'step = "flag-review"', output: { orderId: 'o-2002', review: true } },
        { task: 'echo', output: { orderId: 'o-2002', confirmed: true } },
      ],
      expect: {
        output: { orderId: 'o-2002', total: 1450, confirmed: true },
        path: ['total', 'route', 'flag-review', 'confirm', 'done'],
        steps: { route: { next: 'flag-review' }, 'flag-review': { review: true } },
      },
    },
    {
      case_id: 'real-tasks',
      name: 'The real order-total and echo tasks (side-effect free) compute the total',
      tags: ['example'],
      unmocked: 'run',
      input: { order: LARGE_ORDER_INPUT },
      expect: {
        output: { orderId: 'o-2002', total: 1450, confirmed: true },
        path_contains: ['flag-review', 'confirm'],
        steps: {
          total: { orderId: 'o-2002', total: 1450 },
          confirm: { orderId: 'o-2002', email: 'grace@example.com', total: 1450 },
        },
      },
    },
    {
      case_id: 'total-fails',
      name: 'A failing total fails the run before anything is confirmed',
      tags: ['example'],
      input: { order: ORDER_INPUT },
      mocks: [{ step: 'total', error: { type: 'PricingUnavailable', message: 'price list is offline' } }],
      expect: {
        status: 'failed',
        error: { type: 'PricingUnavailable', message_contains: 'price list is offline' },
        path: ['total'],
        path_excludes: ['confirm', 'done'],
      },
    },
  ],
};

/** Tests of the order-total task alone, through its real executor (a transform: no side effects). */
export const ORDER_TOTAL_TESTS: ExampleTestDefinition = {
  test_id: 'order-total-tests',
  version: '1.0.0',
  name: 'Order total',
  description: 'The order-total transform sums price x quantity.',
  target_type: 'task',
  target_id: 'order-total',
  target_version: '1.0.0',
  test_cases: [
    {
      case_id: 'sums-items',
      tags: ['example', 'smoke'],
      input: { order: LARGE_ORDER_INPUT },
      expect: { output: { orderId: 'o-2002', total: 1450 } },
    },
    {
      case_id: 'one-item',
      tags: ['example'],
      input: { order: ORDER_INPUT },
      expect: { output: { orderId: 'o-1001', total: 25 } },
    },
  ],
};

const EXPENSE = { expenseId: 'exp-1001', employee: 'Ada Lovelace', amount: 420, description: 'Conference ticket' };
const decided = (decision: Record<string, unknown>) => [
  { event: 'expense.decided', payload: { expenseId: 'exp-1001', decision } },
];

/**
 * Tests of the expense approval: approved by policy, approved and rejected by a person (submitting the form), and
 * the escalation: nobody of `approvers` acts, after 4 simulated hours the task goes to `finance-managers`, and a
 * finance manager decides after 5 hours (seconds of real time on the compressed clock).
 */
export const EXPENSE_TESTS: ExampleTestDefinition = {
  test_id: 'expense-approval-tests',
  version: '1.0.0',
  name: 'Expense approval',
  description: 'Policy approval, an approver approving and rejecting through the form, and the 4-hour escalation.',
  target_type: 'workflow',
  target_id: 'expense-approval',
  target_version: '1.0.0',
  settings: { time_scale: 10_000, case_timeout: '30s' },
  test_cases: [
    {
      case_id: 'within-policy',
      name: 'Up to 50 EUR is approved by policy, nobody asked',
      tags: ['example', 'smoke'],
      input: { expense: { expenseId: 'exp-1001', employee: 'Ada Lovelace', amount: 30 } },
      expect: {
        output: { approved: true, amount: 30, note: 'within policy', by: 'policy' },
        path: ['policy', 'auto-approve', 'announce', 'done'],
        path_excludes: ['review'],
        events: decided({ approved: true, amount: 30, by: 'policy' }),
      },
    },
    {
      case_id: 'approved',
      name: 'An approver approves a lower amount',
      tags: ['example', 'smoke'],
      input: { expense: EXPENSE },
      human_tasks: [
        { step: 'review', user: 'alice', action: 'approve', data: { approved_amount: 400, decision_note: 'capped' } },
      ],
      expect: {
        output: { approved: true, amount: 400, note: 'capped', by: 'alice' },
        path: ['policy', 'review', 'announce', 'done'],
        steps: { review: { approved: true, by: 'alice' } },
        events: decided({ approved: true, amount: 400, by: 'alice' }),
        // The path and `by` already show alice decided before the 4-hour escalation. At 10000x, 1.5 s of real time
        // on a loaded machine is 4.2 simulated hours: the bound only keeps the case from hanging for a day.
        max_duration: 'P1D',
      },
    },
    {
      case_id: 'rejected',
      name: 'An approver rejects, with the note the form requires',
      tags: ['example'],
      input: { expense: EXPENSE },
      human_tasks: [{ step: 'review', user: 'bob', action: 'reject', data: { decision_note: 'no receipt attached' } }],
      expect: {
        output: { approved: false, amount: 0, note: 'no receipt attached', by: 'bob' },
        path: ['policy', 'review', 'announce', 'done'],
        events: decided({ approved: false, amount: 0, note: 'no receipt attached', by: 'bob' }),
      },
    },
    {
      case_id: 'escalated',
      name: 'Nobody approves for 4 hours: a finance manager gets the task and decides',
      tags: ['example', 'escalation'],
      input: { expense: EXPENSE },
      human_tasks: [
        { step: 'review', user: 'fiona', action: 'approve', data: { approved_amount: 420 }, after: 'PT5H' },
      ],
      expect: {
        output_contains: { approved: true, amount: 420, by: 'fiona' },
        path: ['policy', 'review', 'announce', 'done'],
        events: decided({ approved: true, amount: 420, by: 'fiona' }),
        // Five simulated hours went by (past the 4-hour escalation), well under the 1-day due time.
        assert: ['duration_ms >= 5 * 3600000', 'duration_ms < 24 * 3600000'],
      },
    },
  ],
};

/** Every seeded test definition. */
export const TEST_DEFINITIONS: ExampleTestDefinition[] = [ORDER_TESTS, ORDER_TOTAL_TESTS, EXPENSE_TESTS];
