/** Runs application service: start (idempotent with a business key), cancel, terminate, pause, resume, live state. */
export {
  startRun,
  type ExclusiveStartRequest,
  type LiveRunsFound,
  type StartRunRequest,
  type StartRunResult,
} from './start';
export { cancelRun, terminateRun, queryRunState, getRunRow, sendEventToRun } from './control';
export { pauseRun, resumeRun } from './pause';
export type { DirectedEvent, DirectedEventResult } from './control';
export type { RunDeps } from './deps';
export {
  listRuns,
  listRunTasks,
  WORKFLOW_INSTANCE_STATUSES,
  type TaskInstanceRow,
  type WorkflowInstanceFilter,
  type WorkflowInstanceRow,
  type WorkflowInstanceStatus,
} from './queries';
export { redriveRun, rerunRun, REDRIVABLE_STATUSES } from './redrive';
export { runLineage, type RunLineage } from './lineage';
export {
  recordControl,
  controlHistory,
  systemActor,
  type Actor,
  type ControlAction,
  type ControlActionRow,
} from './control-history';
