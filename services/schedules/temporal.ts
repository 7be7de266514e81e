/** The Temporal side of a schedule: the options its row maps to, and Temporal's errors in the API's terms. */
import {
  isGrpcServiceError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import { AppError } from '../../common/errors';
import type { WorkflowScheduleRow } from '../../db/repositories/workflow-schedules';
import { SCHEDULED_RUN_WORKFLOW_TYPE, type ScheduledRunWorkflow } from '../../workflows/api';
import type { RunDeps } from '../runs/deps';
import { toTemporalPolicies, toTemporalSpec, type SchedulePoliciesBody, type ScheduleSpecBody } from './spec';

// gRPC INVALID_ARGUMENT: Temporal refused the spec (what the checks before it did not catch).
const GRPC_INVALID_ARGUMENT = 3;

/** The options of a schedule's Temporal schedule, without its id and initial state. */
export function temporalScheduleParts(
  deps: Pick<RunDeps, 'config'>,
  row: WorkflowScheduleRow,
): Omit<ScheduleUpdateOptions, 'state'> {
  // Typed by the action's signature, so `args` are checked against scheduledRunWorkflow's.
  const action: ScheduleOptionsStartWorkflowAction<ScheduledRunWorkflow> = {
    type: 'startWorkflow',
    workflowType: SCHEDULED_RUN_WORKFLOW_TYPE,
    // Temporal appends each action's due time to this id.
    workflowId: row.temporal_schedule_id,
    taskQueue: deps.config.taskQueue,
    args: [{ scheduleRowId: row.id }],
    staticSummary: `Schedule ${row.schedule_id}: ${row.workflow_id}${row.workflow_version ? `@${row.workflow_version}` : ''}`,
  };
  return {
    spec: toTemporalSpec(row.spec as ScheduleSpecBody),
    action,
    policies: toTemporalPolicies(row.policies as SchedulePoliciesBody),
  };
}

/** The create options of a schedule's Temporal schedule. */
export function temporalScheduleOptions(deps: Pick<RunDeps, 'config'>, row: WorkflowScheduleRow): ScheduleOptions {
  return {
    scheduleId: row.temporal_schedule_id,
    ...temporalScheduleParts(deps, row),
    state: { paused: row.status === 'paused', ...(row.note && { note: row.note }) },
    memo: { scheduleRowId: row.id },
  };
}

/** Temporal's refusal as an API error (404, 409, 422), or the error itself. */
export function fromTemporal(err: unknown, scheduleId: string): unknown {
  if (err instanceof ScheduleNotFoundError)
    return AppError.notFound(`Schedule ${scheduleId} is not known to Temporal (deleted there?)`);
  if (err instanceof ScheduleAlreadyRunning)
    return AppError.conflict(
      `Temporal already has a schedule for ${scheduleId}; delete it or pick another schedule_id`,
    );
  const cause = (err as { cause?: unknown })?.cause;
  const grpc = [err, cause].find((e) => isGrpcServiceError(e));
  if (grpc && isGrpcServiceError(grpc) && grpc.code === GRPC_INVALID_ARGUMENT)
    return AppError.unprocessable('Temporal refused the schedule', [{ pointer: '/body/spec', message: grpc.details }]);
  return err;
}
