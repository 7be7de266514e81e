/**
 * Contract of the schedule activities (activities/schedules) that `scheduledRunWorkflow` calls: start the run of
 * one scheduled action, watch it, cancel it. Types only plus the overlap policy list: sandbox-safe.
 */

/** What a schedule does when an action falls due while the previous one's run is still open (one list). */
export const SCHEDULE_OVERLAP_POLICIES = ['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'allow_all'] as const;

/** An overlap policy. */
export type ScheduleOverlap = (typeof SCHEDULE_OVERLAP_POLICIES)[number];

/** Arguments of `scheduledRunWorkflow` (the Temporal schedule's action). */
export interface ScheduledRunArgs {
  /** workflow_schedules.id of the schedule. */
  scheduleRowId: string;
}

/** Input of `startScheduledRun`. */
export interface StartScheduledRunRequest {
  scheduleRowId: string;
  /** ISO 8601: the action's `TemporalScheduledStartTime`. */
  scheduledTime: string;
}

/** The run a scheduled action started (or found started by an earlier attempt). */
export interface ScheduledRun {
  instanceId: string;
  /** The run's Temporal workflow id (deterministic per schedule and scheduled time). */
  workflowId: string;
  /** Whether the action waits for the run to close (overlap policy other than allow_all, or pause_on_failure). */
  watch: boolean;
  /** pause_on_failure: a failed run fails the action, so Temporal pauses the schedule. */
  failOnRunFailure: boolean;
}

/** A run's state as a scheduled action sees it. */
export interface ScheduledRunState {
  closed: boolean;
  /** The Temporal execution status name (RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, ...). */
  status: string;
}

/** The activities of `scheduledRunWorkflow`. */
export interface ScheduleActivities {
  /** Evaluates the schedule's input and starts the run through startRun (idempotent: a retry finds the run). */
  startScheduledRun(req: StartScheduledRunRequest): Promise<ScheduledRun>;
  /**
   * Whether the run is still open (Temporal's answer, not the mirror's), waiting up to `waitMs` for it to close:
   * answers the moment it closes.
   */
  scheduledRunState(req: { workflowId: string; waitMs: number }): Promise<ScheduledRunState>;
  /** Requests cancellation of the run (the action was cancelled: overlap policy cancel_other). */
  cancelScheduledRun(req: { instanceId: string }): Promise<void>;
}
