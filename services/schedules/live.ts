/**
 * A schedule's live state from Temporal: next due times, recent actions with the runs they started, running
 * actions, paused and note, counters. Temporal pauses a schedule on its own (pause_on_failure); the row follows.
 */
import { ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import {
  instanceIdsByTemporalIds,
  updateSchedule as updateScheduleRow,
  type WorkflowScheduleRow,
} from '../../db/repositories/workflow-schedules';
import type { RunDeps } from '../runs/deps';
import { scheduledRunWorkflowId } from './ids';
import { fromTemporal } from './temporal';

/** An action Temporal took, with the run it started (null until the run's row exists). */
export interface ScheduleActionView {
  scheduled_at: string;
  taken_at: string | null;
  /** The action's Temporal workflow id (`aos-schedule.<id>-<due time>`). */
  action_workflow_id: string;
  /** The run's Temporal workflow id and workflow_instances id. */
  run_workflow_id: string;
  instance_id: string | null;
}

/** What Temporal says about a schedule now. */
export interface ScheduleLiveInfo {
  paused: boolean;
  note: string | null;
  next_action_times: string[];
  recent_actions: ScheduleActionView[];
  running_actions: ScheduleActionView[];
  actions_taken: number;
  actions_skipped_overlap: number;
  actions_missed_catchup_window: number;
}

/**
 * The live info of a schedule; its row is brought in line with Temporal's paused state and note. `info` is null
 * when Temporal no longer has the schedule (deleted there): DELETE then removes the row.
 */
export async function describeSchedule(
  deps: RunDeps,
  row: WorkflowScheduleRow,
): Promise<{ row: WorkflowScheduleRow; info: ScheduleLiveInfo | null }> {
  let d: ScheduleDescription;
  try {
    d = await deps.temporal.schedule.getHandle(row.temporal_schedule_id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return { row, info: null };
    throw fromTemporal(err, row.schedule_id);
  }
  const due = new Map(d.info.recentActions.map((a) => [a.action.workflow.workflowId, a.scheduledAt]));
  const actions = d.info.recentActions.map((a) => ({
    id: a.action.workflow.workflowId,
    at: a.scheduledAt,
    taken: a.takenAt,
  }));
  // An action's id is `<temporal schedule id>-<due time>`: what a running action too old for the recent list says.
  const prefix = `${row.temporal_schedule_id}-`;
  const running = d.info.runningActions.flatMap((a) => {
    const id = a.workflow.workflowId;
    const at = due.get(id) ?? (id.startsWith(prefix) ? new Date(id.slice(prefix.length)) : undefined);
    return at && !Number.isNaN(at.getTime()) ? [{ id, at, taken: undefined }] : [];
  });
  const runIds = [...actions, ...running].map((a) => scheduledRunWorkflowId(row.schedule_id, a.at));
  const instances = await instanceIdsByTemporalIds(deps.db, runIds);
  const view = (a: { id: string; at: Date; taken?: Date }): ScheduleActionView => {
    const runWorkflowId = scheduledRunWorkflowId(row.schedule_id, a.at);
    return {
      scheduled_at: a.at.toISOString(),
      taken_at: a.taken ? a.taken.toISOString() : null,
      action_workflow_id: a.id,
      run_workflow_id: runWorkflowId,
      instance_id: instances.get(runWorkflowId) ?? null,
    };
  };
  const paused = d.state.paused;
  const note = d.state.note ?? null;
  const synced =
    paused !== (row.status === 'paused') || (note !== null && note !== row.note)
      ? await updateScheduleRow(deps.db, row.id, { status: paused ? 'paused' : 'active', note })
      : row;
  return {
    row: synced ?? row,
    info: {
      paused,
      note,
      next_action_times: d.info.nextActionTimes.map((t) => t.toISOString()),
      recent_actions: actions.map(view),
      running_actions: running.map(view),
      actions_taken: d.info.numActionsTaken,
      actions_skipped_overlap: d.info.numActionsSkippedOverlap,
      actions_missed_catchup_window: d.info.numActionsMissedCatchupWindow,
    },
  };
}
