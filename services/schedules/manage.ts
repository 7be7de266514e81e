/**
 * Schedule use cases: create, change, delete, pause, unpause, trigger now, backfill. The row and the Temporal
 * schedule change together: the row is written in a transaction that commits only once Temporal accepted the
 * change, so a refusal leaves neither (a failed insert never reaches Temporal).
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import { isUniqueViolation } from '../../db/repositories/sql';
import {
  deleteSchedule as deleteScheduleRow,
  getSchedule,
  getScheduleByScheduleId,
  insertSchedule,
  updateSchedule as updateScheduleRow,
  type WorkflowScheduleRow,
} from '../../db/repositories/workflow-schedules';
import type { ScheduleOverlap } from '../../common/contracts/schedules';
import type { RunDeps } from '../runs/deps';
import { temporalScheduleId } from './ids';
import { applyPatch, checkSchedule, newFields, type ScheduleBody } from './records';
import { TEMPORAL_OVERLAP } from './spec';
import { fromTemporal, temporalScheduleOptions, temporalScheduleParts } from './temporal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A schedule by row id or schedule_id; 404 when neither exists. */
export async function findSchedule(db: Knex, ref: string): Promise<WorkflowScheduleRow> {
  const row = (UUID.test(ref) ? await getSchedule(db, ref) : undefined) ?? (await getScheduleByScheduleId(db, ref));
  if (!row) throw AppError.notFound(`Schedule ${ref} not found`);
  return row;
}

/** Runs `fn` against Temporal, mapping its refusals to API errors. */
async function temporal<T>(scheduleId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromTemporal(err, scheduleId);
  }
}

/** Creates a schedule: 422 on a bad body, 409 when the schedule_id is taken. */
export async function createSchedule(
  deps: RunDeps,
  body: ScheduleBody & Required<Pick<ScheduleBody, 'schedule_id' | 'workflow_id' | 'spec'>>,
  createdBy?: string,
): Promise<WorkflowScheduleRow> {
  const fields = newFields(body);
  await checkSchedule(deps.db, fields);
  const scheduleId = body.schedule_id;
  let created = false;
  try {
    return await deps.db.transaction(async (trx) => {
      const row = await insertSchedule(trx, {
        ...fields,
        schedule_id: scheduleId,
        status: body.paused ? 'paused' : 'active',
        temporal_schedule_id: temporalScheduleId(scheduleId),
        created_by: createdBy ?? null,
      }).catch((err: unknown) => {
        throw isUniqueViolation(err) ? AppError.conflict(`Schedule ${scheduleId} already exists`) : err;
      });
      await temporal(scheduleId, () => deps.temporal.schedule.create(temporalScheduleOptions(deps, row)));
      created = true;
      return row;
    });
  } catch (err) {
    // Temporal accepted but the commit failed: take the Temporal schedule back.
    if (created)
      await deps.temporal.schedule
        .getHandle(temporalScheduleId(scheduleId))
        .delete()
        .catch(() => undefined);
    throw err;
  }
}

/** Changes a schedule's definition, spec, input, policies, description or note (its paused state stays). */
export async function updateSchedule(
  deps: RunDeps,
  current: WorkflowScheduleRow,
  patch: ScheduleBody,
): Promise<WorkflowScheduleRow> {
  const fields = applyPatch(current, patch);
  await checkSchedule(deps.db, fields);
  return deps.db.transaction(async (trx) => {
    const row = await updateScheduleRow(trx, current.id, fields);
    if (!row) throw AppError.notFound(`Schedule ${current.schedule_id} not found`);
    await temporal(row.schedule_id, () =>
      deps.temporal.schedule
        .getHandle(row.temporal_schedule_id)
        .update((previous) => ({ ...temporalScheduleParts(deps, row), state: previous.state })),
    );
    return row;
  });
}

/** Deletes the Temporal schedule (already gone there is fine), then the row. Runs it started go on. */
export async function deleteSchedule(deps: RunDeps, row: WorkflowScheduleRow): Promise<void> {
  await temporal(row.schedule_id, () => deps.temporal.schedule.getHandle(row.temporal_schedule_id).delete()).catch(
    (err: unknown) => {
      if (!(err instanceof AppError && err.status === 404)) throw err;
    },
  );
  await deleteScheduleRow(deps.db, row.id);
}

/** Pauses (`paused`) or unpauses a schedule, with a note saying why. */
export async function setSchedulePaused(
  deps: RunDeps,
  row: WorkflowScheduleRow,
  paused: boolean,
  note?: string,
): Promise<WorkflowScheduleRow> {
  const text = note ?? (paused ? 'Paused through the API' : 'Unpaused through the API');
  const handle = deps.temporal.schedule.getHandle(row.temporal_schedule_id);
  await temporal(row.schedule_id, () => (paused ? handle.pause(text) : handle.unpause(text)));
  const updated = await updateScheduleRow(deps.db, row.id, { status: paused ? 'paused' : 'active', note: text });
  return updated ?? row;
}

/** Takes an action now (overlap: this action's policy, default Temporal's allow_all for a trigger). */
export async function triggerSchedule(
  deps: RunDeps,
  row: WorkflowScheduleRow,
  overlap?: ScheduleOverlap,
): Promise<void> {
  const handle = deps.temporal.schedule.getHandle(row.temporal_schedule_id);
  await temporal(row.schedule_id, () => handle.trigger(overlap && TEMPORAL_OVERLAP[overlap]));
}

/** A backfill request: the actions due in [start_at, end_at] are taken now. */
export interface BackfillRequest {
  start_at: string;
  end_at: string;
  /** Overlap policy of the backfilled actions [the schedule's]. */
  overlap?: ScheduleOverlap;
}

/** Takes, now, every action the schedule would have taken between start_at and end_at. */
export async function backfillSchedule(deps: RunDeps, row: WorkflowScheduleRow, req: BackfillRequest): Promise<void> {
  const start = new Date(req.start_at);
  const end = new Date(req.end_at);
  if (!(start.getTime() < end.getTime()))
    throw AppError.unprocessable('Backfill range is empty', [
      { pointer: '/body/end_at', message: 'must be after start_at' },
    ]);
  const overlap = req.overlap ?? (row.policies as { overlap?: ScheduleOverlap }).overlap ?? 'skip';
  const handle = deps.temporal.schedule.getHandle(row.temporal_schedule_id);
  await temporal(row.schedule_id, () => handle.backfill({ start, end, overlap: TEMPORAL_OVERLAP[overlap] }));
}
