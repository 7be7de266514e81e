/** Schedules over Temporal Schedules (#15): their records, use cases, live state and the runs they start. */
export { findSchedule, createSchedule, updateSchedule, deleteSchedule, setSchedulePaused } from './manage';
export { triggerSchedule, backfillSchedule, type BackfillRequest } from './manage';
export { describeSchedule, type ScheduleLiveInfo, type ScheduleActionView } from './live';
export { toScheduleResource, type ScheduleBody } from './records';
export { startScheduledRun, scheduledRunState, cancelScheduledRun, type RenderInput } from './runs';
export { temporalScheduleId, scheduledRunWorkflowId } from './ids';
export { listSchedules, type ScheduleFilter } from '../../db/repositories/workflow-schedules';
