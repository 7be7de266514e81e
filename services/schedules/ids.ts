/** The ids a schedule derives: its Temporal schedule's, and each scheduled run's (deterministic per due time). */

/** The Temporal schedule id of a schedule. */
export const temporalScheduleId = (scheduleId: string): string => `aos-schedule.${scheduleId}`;

/**
 * The Temporal workflow id of the run a schedule starts for one due time: the same on every retry of the action
 * (startRun answers the existing run), and findable from Temporal's list of the schedule's actions. Whole seconds:
 * Temporal keeps an action's due time to the second in its workflow id and `TemporalScheduledStartTime`.
 */
export const scheduledRunWorkflowId = (scheduleId: string, scheduledTime: Date | string): string =>
  `sch:${scheduleId}:${new Date(Math.floor(new Date(scheduledTime).getTime() / 1000) * 1000).toISOString()}`;
