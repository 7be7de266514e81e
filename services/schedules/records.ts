/**
 * A schedule as the API writes it (body) and reads it (resource), and the checks between the body and the row:
 * spec, policies, the definition (and pinned version) and the input, every problem a 422 pointer under `/body`.
 */
import type { Knex } from 'knex';
import { AppError, type FieldError } from '../../common/errors';
import type { WorkflowScheduleInsert, WorkflowScheduleRow } from '../../db/repositories/workflow-schedules';
import { resolveWorkflowRow } from '../definitions/resolve';
import { checkRunInput } from '../runs/input-check';
import { isTemplate, templateErrors } from './input';
import { policyErrors, specErrors, type SchedulePoliciesBody, type ScheduleSpecBody } from './spec';

/** The writable fields of a schedule (create: `schedule_id`, `workflow_id` and `spec` are required). */
export interface ScheduleBody {
  schedule_id?: string;
  workflow_id?: string;
  workflow_version?: string | null;
  description?: string | null;
  spec?: ScheduleSpecBody;
  input?: unknown;
  policies?: SchedulePoliciesBody;
  /** Create only: start paused. */
  paused?: boolean;
  note?: string | null;
}

/** The schedule's fields after a body is applied to it (all that the checks look at). */
export type ScheduleFields = Pick<
  WorkflowScheduleInsert,
  'workflow_id' | 'workflow_version' | 'description' | 'input' | 'note'
> & { spec: ScheduleSpecBody; policies: SchedulePoliciesBody };

/** The definition problem of a schedule's target, as a pointer (or none). */
async function definitionErrors(db: Knex, f: ScheduleFields): Promise<FieldError[]> {
  try {
    const row = await resolveWorkflowRow(db, f.workflow_id, f.workflow_version ?? undefined);
    if (!isTemplate(f.input)) {
      const definition = row.definition as { input_schema?: unknown };
      checkRunInput(row.id, definition.input_schema, f.input ?? {}, '/body/input');
    }
    return [];
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.status === 422) return err.errors;
    const pointer = f.workflow_version ? '/body/workflow_version' : '/body/workflow_id';
    return [{ pointer, message: err.message }];
  }
}

/** Throws one 422 listing every problem of the schedule's fields. */
export async function checkSchedule(db: Knex, f: ScheduleFields): Promise<void> {
  const errors = [
    ...specErrors(f.spec, '/body/spec'),
    ...policyErrors(f.policies, '/body/policies'),
    ...templateErrors(f.input, '/body/input'),
  ];
  if (errors.length === 0) errors.push(...(await definitionErrors(db, f)));
  if (errors.length > 0) throw AppError.unprocessable('Schedule is invalid', errors);
}

/** The fields of a stored schedule with a patch applied (undefined = unchanged; null clears where allowed). */
export function applyPatch(row: WorkflowScheduleRow, b: ScheduleBody): ScheduleFields {
  return {
    workflow_id: b.workflow_id ?? row.workflow_id,
    workflow_version: b.workflow_version !== undefined ? b.workflow_version : row.workflow_version,
    description: b.description !== undefined ? b.description : row.description,
    spec: b.spec ?? (row.spec as ScheduleSpecBody),
    input: b.input !== undefined ? b.input : row.input,
    policies: b.policies ?? (row.policies as SchedulePoliciesBody),
    note: b.note !== undefined ? b.note : row.note,
  };
}

/** The fields of a new schedule. */
export function newFields(b: ScheduleBody & Required<Pick<ScheduleBody, 'workflow_id' | 'spec'>>): ScheduleFields {
  return {
    workflow_id: b.workflow_id,
    workflow_version: b.workflow_version ?? null,
    description: b.description ?? null,
    spec: b.spec,
    input: b.input ?? {},
    policies: b.policies ?? {},
    note: b.note ?? null,
  };
}

/** The API shape of a schedule row (the stored spec and policies as given, policies with their defaults). */
export function toScheduleResource(r: WorkflowScheduleRow): Record<string, unknown> {
  const policies = r.policies as SchedulePoliciesBody;
  return {
    id: r.id,
    schedule_id: r.schedule_id,
    workflow_id: r.workflow_id,
    workflow_version: r.workflow_version,
    description: r.description,
    spec: r.spec,
    input: r.input,
    policies: { overlap: 'skip', pause_on_failure: false, ...policies },
    status: r.status,
    note: r.note,
    temporal_schedule_id: r.temporal_schedule_id,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
