/**
 * Example data for a first demo: an `echo` and a `transform` task, the `order.created` event, an order
 * workflow using them, and a START trigger on order.created. Idempotent: upserts on business ids.
 */
import type { Knex } from 'knex';
import { taskDefinitions } from '../repositories/task-definitions';
import { eventDefinitions } from '../repositories/event-definitions';
import { workflowDefinitions } from '../repositories/workflow-definitions';
import { upsertTrigger } from '../repositories/workflow-event-triggers';
import { ORDER_CREATED_EVENT, ORDER_WORKFLOW, TASKS } from './examples';

/** What {@link seed} wrote. */
export interface SeedResult {
  tasks: string[];
  events: string[];
  workflows: string[];
  triggers: string[];
}

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
    const { workflow_id, version, name, description, input_schema } = ORDER_WORKFLOW;
    const workflow = await workflowDefinitions.upsert(trx, {
      workflow_id,
      version,
      name,
      description,
      input_schema,
      definition: ORDER_WORKFLOW,
      status: 'active',
      created_by: 'seed',
      updated_by: 'seed',
    });
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
    return {
      tasks: tasks.map((t) => `${t.task_id}@${t.version}`),
      events: [`${event.event_id}@${event.version}`],
      workflows: [`${workflow.workflow_id}@${workflow.version}`],
      triggers: [trigger.trigger_id],
    };
  });
}
