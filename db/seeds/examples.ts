/** The example definitions loaded by `npm run seed` (plain data, in the definition language of common/definitions). */
import type { WorkflowDefinition } from '../../common/definitions/types';
import type { TaskDefinitionInsert } from '../repositories/task-definitions';
import type { EventDefinitionInsert } from '../repositories/event-definitions';

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
