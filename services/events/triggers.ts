/**
 * Trigger management: patterns and JSONata expressions are checked before a trigger is stored (422 with
 * pointers), the target definition is resolved by row id or business id, rows are answered in the
 * documented WorkflowEventTrigger shape. Where an event meets its triggers: routing/route-triggers.ts.
 */
import type { Knex } from 'knex';
import { AppError, type FieldError } from '../../common/errors';
import { jsonSafetyErrors } from '../../common/events/json-safety';
import { patternError } from '../../common/events/pattern';
import { expressionError } from '../../common/events/trigger-expressions';
import { triggerErrorsOffThread } from '../validation';
import { isUniqueViolation } from '../../db/repositories/sql';
import {
  findTriggerTarget,
  getTrigger,
  insertTrigger,
  getTriggerByTriggerId,
  type WorkflowEventTriggerInsert,
  type WorkflowEventTriggerRow,
} from '../../db/repositories/workflow-event-triggers';

// The trigger store as the API uses it: rows in, rows out (toTriggerResource gives their API shape).
export {
  deleteTrigger,
  listTriggers,
  updateTrigger,
  type WorkflowEventTriggerInsert,
} from '../../db/repositories/workflow-event-triggers';

/** The documented trigger shape (camelCase) plus `triggerId`, `onRunning` and the definition's business id. */
export interface TriggerBody {
  triggerId?: string;
  workflowDefinitionId?: string;
  eventPattern?: string;
  triggerType?: 'START' | 'CANCEL';
  eventCondition?: string | null;
  inputMapping?: Record<string, string> | null;
  correlationKey?: string | null;
  enabled?: boolean;
  priority?: number;
  description?: string | null;
  onRunning?: 'skip' | 'signal' | 'start';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every problem of a trigger body, with pointers under /body. */
export function triggerErrors(b: TriggerBody): FieldError[] {
  const errors = jsonSafetyErrors(b, '/body');
  if (errors.length > 0) return errors;
  const bad = b.eventPattern === undefined ? undefined : patternError(b.eventPattern);
  if (bad) errors.push({ pointer: '/body/eventPattern', message: bad });
  const check = (expr: string | null | undefined, pointer: string) => {
    const e = typeof expr === 'string' ? expressionError(expr, pointer) : undefined;
    if (e) errors.push(e);
  };
  check(b.eventCondition, '/body/eventCondition');
  check(b.correlationKey, '/body/correlationKey');
  for (const [k, v] of Object.entries(b.inputMapping ?? {}))
    check(v, `/body/inputMapping/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  return errors;
}

/** The definition row a trigger points at: a row id, or a business id (its latest active, else newest version). */
async function resolveDefinitionRow(db: Knex, ref: string): Promise<{ id: string; workflow_id: string } | undefined> {
  return findTriggerTarget(db, UUID.test(ref) ? { id: ref } : { workflowId: ref });
}

/** Validates a create/patch body and maps it to columns; throws 422 listing every problem. */
export async function toTriggerColumns(db: Knex, b: TriggerBody): Promise<Partial<WorkflowEventTriggerInsert>> {
  const errors = await triggerErrorsOffThread(b);
  const def = b.workflowDefinitionId === undefined ? undefined : await resolveDefinitionRow(db, b.workflowDefinitionId);
  if (b.workflowDefinitionId !== undefined && !def)
    errors.push({ pointer: '/body/workflowDefinitionId', message: 'no such workflow definition' });
  if (errors.length > 0) throw AppError.unprocessable('Trigger is invalid', errors);
  const cols: Partial<WorkflowEventTriggerInsert> = {
    trigger_id: b.triggerId,
    workflow_definition_id: def?.id,
    event_pattern: b.eventPattern,
    trigger_type: b.triggerType,
    event_condition: b.eventCondition,
    input_mapping: b.inputMapping,
    correlation_key: b.correlationKey,
    enabled: b.enabled,
    priority: b.priority,
    description: b.description,
    on_running: b.onRunning,
  };
  for (const k of Object.keys(cols) as (keyof typeof cols)[]) if (cols[k] === undefined) delete cols[k];
  return cols;
}

/** A trigger by row id or trigger_id; 404 when neither exists. */
export async function findTrigger(db: Knex, ref: string): Promise<WorkflowEventTriggerRow> {
  const row = (UUID.test(ref) ? await getTrigger(db, ref) : undefined) ?? (await getTriggerByTriggerId(db, ref));
  if (!row) throw AppError.notFound(`Trigger ${ref} not found`);
  return row;
}

/** The API shape of a trigger row. */
export function toTriggerResource(r: WorkflowEventTriggerRow): Record<string, unknown> {
  return {
    id: r.id,
    triggerId: r.trigger_id,
    workflowDefinitionId: r.workflow_definition_id,
    eventPattern: r.event_pattern,
    triggerType: r.trigger_type,
    eventCondition: r.event_condition,
    inputMapping: r.input_mapping,
    correlationKey: r.correlation_key,
    enabled: r.enabled,
    priority: r.priority,
    description: r.description,
    onRunning: r.on_running,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Checks and stores a new trigger: 422 on an invalid body, 409 when its `triggerId` is taken. */
export async function createTrigger(db: Knex, body: TriggerBody): Promise<WorkflowEventTriggerRow> {
  const cols = await toTriggerColumns(db, body);
  try {
    return await insertTrigger(db, cols as WorkflowEventTriggerInsert);
  } catch (err) {
    if (isUniqueViolation(err)) throw AppError.conflict(`Trigger ${body.triggerId} already exists`);
    throw err;
  }
}
