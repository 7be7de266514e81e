/** workflow_orchestrator_service.workflow_event_triggers: events that start or cancel workflows (documented columns). */
import type { Db } from './sql';
import { toDb } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';
import { WORKFLOW_DEFINITIONS } from './workflow-definitions';

/** A row of workflow_event_triggers. */
export interface WorkflowEventTriggerRow {
  id: string;
  trigger_id: string;
  workflow_definition_id: string;
  event_pattern: string;
  trigger_type: 'START' | 'CANCEL';
  event_condition: string | null;
  input_mapping: Record<string, unknown> | null;
  correlation_key: string | null;
  enabled: boolean;
  priority: number;
  description: string | null;
  event_definition_id: string | null;
  /** What a START does when a run with the same correlation key is running: skip, signal it, or start anyway. */
  on_running: 'skip' | 'signal' | 'start';
  created_at: Date;
  updated_at: Date;
}

/** Values to insert a trigger (trigger_id defaults to a random uuid text). */
export type WorkflowEventTriggerInsert = Partial<Omit<WorkflowEventTriggerRow, 'id' | 'created_at' | 'updated_at'>> &
  Pick<WorkflowEventTriggerRow, 'workflow_definition_id' | 'event_pattern' | 'trigger_type'>;

export const WORKFLOW_EVENT_TRIGGERS = 'workflow_orchestrator_service.workflow_event_triggers';

/** Inserts a trigger. */
export async function insertTrigger(db: Db, values: WorkflowEventTriggerInsert): Promise<WorkflowEventTriggerRow> {
  const [row] = await db(WORKFLOW_EVENT_TRIGGERS).insert(toDb(values)).returning('*');
  return row as WorkflowEventTriggerRow;
}

/** Inserts or overwrites the trigger with this trigger_id (seeds, declarative config). */
export async function upsertTrigger(
  db: Db,
  values: WorkflowEventTriggerInsert & { trigger_id: string },
): Promise<WorkflowEventTriggerRow> {
  const data = toDb(values);
  const [row] = await db(WORKFLOW_EVENT_TRIGGERS)
    .insert(data)
    .onConflict('trigger_id')
    .merge(Object.keys(data))
    .returning('*');
  return row as WorkflowEventTriggerRow;
}

/** Updates fields of a trigger; undefined when missing. */
export async function updateTrigger(
  db: Db,
  id: string,
  patch: Partial<WorkflowEventTriggerInsert>,
): Promise<WorkflowEventTriggerRow | undefined> {
  const [row] = await db(WORKFLOW_EVENT_TRIGGERS).where({ id }).update(toDb(patch)).returning('*');
  return row as WorkflowEventTriggerRow | undefined;
}

/** Deletes a trigger; true when it existed. */
export async function deleteTrigger(db: Db, id: string): Promise<boolean> {
  return (await db(WORKFLOW_EVENT_TRIGGERS).where({ id }).delete()) > 0;
}

/** A trigger by row id. */
export async function getTrigger(db: Db, id: string): Promise<WorkflowEventTriggerRow | undefined> {
  return (await db(WORKFLOW_EVENT_TRIGGERS).where({ id }).first()) as WorkflowEventTriggerRow | undefined;
}

/** A trigger by its business id. */
export async function getTriggerByTriggerId(db: Db, triggerId: string): Promise<WorkflowEventTriggerRow | undefined> {
  return (await db(WORKFLOW_EVENT_TRIGGERS).where({ trigger_id: triggerId }).first()) as
    WorkflowEventTriggerRow | undefined;
}

/** A trigger row with its definition's business id. */
export type TriggerWithDefinition = WorkflowEventTriggerRow & { definition_workflow_id: string };

/**
 * The version of the enabled-trigger set: bumped in the transaction of every statement that writes
 * workflow_event_triggers (migration 027), so a change is visible here no later than its rows.
 */
export async function triggerSetVersion(db: Db): Promise<string> {
  const row = (await db('workflow_orchestrator_service.routing_set_versions')
    .where({ name: 'workflow_event_triggers' })
    .first('version')) as { version: string | number } | undefined;
  return String(row?.version ?? 0);
}

/** Every enabled trigger with its definition's business id (routing compiles them: trigger-set.ts). */
export async function listEnabledTriggers(db: Db): Promise<TriggerWithDefinition[]> {
  return (await db(`${WORKFLOW_EVENT_TRIGGERS} as t`)
    .join(`${WORKFLOW_DEFINITIONS} as d`, 'd.id', 't.workflow_definition_id')
    .select('t.*', 'd.workflow_id as definition_workflow_id')
    .where('t.enabled', true)) as TriggerWithDefinition[];
}

/** The workflow definition row a trigger may point at: by row id, or by business id (its latest active, else newest version). */
export async function findTriggerTarget(
  db: Db,
  ref: { id: string } | { workflowId: string },
): Promise<{ id: string; workflow_id: string } | undefined> {
  if ('id' in ref) return db(WORKFLOW_DEFINITIONS).where({ id: ref.id }).first('id', 'workflow_id');
  return db(WORKFLOW_DEFINITIONS)
    .where({ workflow_id: ref.workflowId })
    .orderByRaw(`(status = 'active') DESC, created_at DESC`)
    .first('id', 'workflow_id');
}

/** Filters of the trigger list. */
export interface TriggerFilter {
  workflowDefinitionId?: string;
  eventPattern?: string;
  triggerType?: 'START' | 'CANCEL';
  enabled?: boolean;
}

/** Lists triggers newest first with keyset pagination. */
export async function listTriggers(
  db: Db,
  f: TriggerFilter = {},
  page: PageRequest = {},
): Promise<Page<WorkflowEventTriggerRow>> {
  const q = db(`${WORKFLOW_EVENT_TRIGGERS} as t`);
  if (f.workflowDefinitionId) q.where('t.workflow_definition_id', f.workflowDefinitionId);
  if (f.eventPattern) q.where('t.event_pattern', f.eventPattern);
  if (f.triggerType) q.where('t.trigger_type', f.triggerType);
  if (f.enabled !== undefined) q.where('t.enabled', f.enabled);
  return paginate<WorkflowEventTriggerRow>(q, 't', page);
}

/** The enabled triggers of a workflow (any of its versions), lowest priority number first. */
export async function listEnabledTriggersOfWorkflow(db: Db, workflowId: string): Promise<WorkflowEventTriggerRow[]> {
  return db(`${WORKFLOW_EVENT_TRIGGERS} as t`)
    .join(`${WORKFLOW_DEFINITIONS} as d`, 'd.id', 't.workflow_definition_id')
    .where({ 'd.workflow_id': workflowId, 't.enabled': true })
    .orderBy([{ column: 't.priority' }, { column: 't.created_at' }])
    .select('t.*');
}
