/**
 * workflow_orchestrator_service.workflow_schedules: schedules over Temporal Schedules (#15). A row is the
 * platform's record of a schedule (spec, input, policies, paused or not); Temporal holds the live schedule under
 * `temporal_schedule_id` and decides when actions run.
 */
import type { Db } from './sql';
import { toDb } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';
import { applyListFilters, type ListQueryValues } from './list-filters';
import { WORKFLOW_INSTANCES } from './workflow-instances';

export const WORKFLOW_SCHEDULES = 'workflow_orchestrator_service.workflow_schedules';

/** A schedule's status as the row keeps it (Temporal's own paused flag is the live one). */
export type ScheduleStatus = 'active' | 'paused';

/** A row of workflow_schedules. */
export interface WorkflowScheduleRow {
  id: string;
  /** Business id; the Temporal schedule id is `aos-schedule.<schedule_id>`. */
  schedule_id: string;
  /** The definition's business id. */
  workflow_id: string;
  /** Pinned version; null = the active version when each run starts. */
  workflow_version: string | null;
  description: string | null;
  /** The schedule spec as the API takes it (services/schedules/spec.ts). */
  spec: object;
  /** Static input, or a template whose `{% %}` expressions are evaluated when each run starts. */
  input: unknown;
  policies: object;
  status: ScheduleStatus;
  note: string | null;
  temporal_schedule_id: string;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Values of a new schedule. */
export type WorkflowScheduleInsert = Omit<WorkflowScheduleRow, 'id' | 'created_at' | 'updated_at'>;

/** The columns an update may change. */
export type WorkflowSchedulePatch = Partial<
  Pick<
    WorkflowScheduleRow,
    'workflow_id' | 'workflow_version' | 'description' | 'spec' | 'input' | 'policies' | 'status' | 'note'
  >
>;

/** Inserts a schedule (a taken schedule_id is a unique violation). */
export async function insertSchedule(db: Db, values: WorkflowScheduleInsert): Promise<WorkflowScheduleRow> {
  // `input` may be any JSON value, a bare string or number included: always stored as JSON text.
  const [row] = await db(WORKFLOW_SCHEDULES)
    .insert({ ...toDb(values), input: JSON.stringify(values.input ?? null) })
    .returning('*');
  return row as WorkflowScheduleRow;
}

/** Updates a schedule; undefined when it is gone. */
export async function updateSchedule(
  db: Db,
  id: string,
  patch: WorkflowSchedulePatch,
): Promise<WorkflowScheduleRow | undefined> {
  const values = { ...toDb(patch), ...('input' in patch && { input: JSON.stringify(patch.input ?? null) }) };
  const [row] = await db(WORKFLOW_SCHEDULES).where({ id }).update(values).returning('*');
  return row as WorkflowScheduleRow | undefined;
}

/** Deletes a schedule row; true when it existed. */
export async function deleteSchedule(db: Db, id: string): Promise<boolean> {
  return (await db(WORKFLOW_SCHEDULES).where({ id }).delete()) > 0;
}

/** A schedule by row id. */
export async function getSchedule(db: Db, id: string): Promise<WorkflowScheduleRow | undefined> {
  return (await db(WORKFLOW_SCHEDULES).where({ id }).first()) as WorkflowScheduleRow | undefined;
}

/** A schedule by its business id. */
export async function getScheduleByScheduleId(db: Db, scheduleId: string): Promise<WorkflowScheduleRow | undefined> {
  return (await db(WORKFLOW_SCHEDULES).where({ schedule_id: scheduleId }).first()) as WorkflowScheduleRow | undefined;
}

/** Filters of the schedule list. */
export interface ScheduleFilter extends Pick<ListQueryValues, 'created_after' | 'created_before' | 'status'> {
  /** The definition's business id. */
  workflowId?: string;
}

/** Lists schedules, newest first (keyset pagination). */
export async function listSchedules(
  db: Db,
  f: ScheduleFilter = {},
  page: PageRequest = {},
): Promise<Page<WorkflowScheduleRow>> {
  const q = db(WORKFLOW_SCHEDULES);
  applyListFilters(q, f);
  if (f.workflowId) q.where('workflow_id', f.workflowId);
  return paginate<WorkflowScheduleRow>(q, WORKFLOW_SCHEDULES, page);
}

/** The run rows of these Temporal workflow ids (a schedule's recent and running actions): temporal id -> row id. */
export async function instanceIdsByTemporalIds(db: Db, temporalIds: string[]): Promise<Map<string, string>> {
  if (temporalIds.length === 0) return new Map();
  const rows = (await db(WORKFLOW_INSTANCES)
    .whereIn('temporal_workflow_id', temporalIds)
    .select('id', 'temporal_workflow_id')) as Array<{ id: string; temporal_workflow_id: string }>;
  return new Map(rows.map((r) => [r.temporal_workflow_id, r.id]));
}
