/**
 * The runs of a schedule's actions (called by the activities of `scheduledRunWorkflow`): each goes through
 * startRun like every other start (mirrored row, `trigger.kind = "schedule"`, search attributes) under a workflow
 * id derived from the schedule and the due time, so a retried action answers the run it started before.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ScheduledRun, ScheduledRunState, ScheduleOverlap } from '../../common/contracts/schedules';
import { AppError } from '../../common/errors';
import { getSchedule } from '../../db/repositories/workflow-schedules';
import { systemActor } from '../runs/control-history';
import { cancelRun } from '../runs/control';
import type { RunDeps } from '../runs/deps';
import { startRun } from '../runs/start';
import { scheduledRunWorkflowId } from './ids';
import { isTemplate, type ScheduleInputBindings } from './input';
import type { SchedulePoliciesBody } from './spec';

/** Renders an input template (the activity passes the platform's template renderer). */
export type RenderInput = (template: unknown, bindings: ScheduleInputBindings) => Promise<unknown>;

/** The actor of what schedules do to runs. */
export const SCHEDULE_ACTOR = systemActor('schedule');

/** Starts (or finds) the run of the action of schedule row `scheduleRowId` due at `scheduledTime`. */
export async function startScheduledRun(
  deps: RunDeps,
  req: { scheduleRowId: string; scheduledTime: string },
  render: RenderInput,
): Promise<ScheduledRun> {
  const row = await getSchedule(deps.db, req.scheduleRowId);
  if (!row) throw AppError.notFound(`Schedule row ${req.scheduleRowId} is gone`);
  const scheduledTime = new Date(req.scheduledTime).toISOString();
  const bindings = { scheduledTime, schedule: row.schedule_id };
  const input = isTemplate(row.input) ? await render(row.input, bindings) : row.input;
  const started = await startRun(deps, {
    workflowId: row.workflow_id,
    ...(row.workflow_version && { version: row.workflow_version }),
    input: input ?? {},
    temporalWorkflowId: scheduledRunWorkflowId(row.schedule_id, scheduledTime),
    trigger: { kind: 'schedule', scheduleId: row.schedule_id, scheduledTime },
  });
  // startRun records the start (`system:schedule`, with the schedule and the due time).
  const policies = row.policies as SchedulePoliciesBody;
  const overlap: ScheduleOverlap = policies.overlap ?? 'skip';
  const pauseOnFailure = policies.pause_on_failure ?? false;
  return {
    instanceId: started.instanceId,
    workflowId: started.workflowId,
    watch: overlap !== 'allow_all' || pauseOnFailure,
    failOnRunFailure: pauseOnFailure,
  };
}

/** How often a watch looks at the run while it waits (a describe call: no history events). */
const LOOK_EVERY_MS = 250;

async function runStatus(deps: RunDeps, workflowId: string): Promise<ScheduledRunState> {
  try {
    const d = await deps.temporal.workflow.getHandle(workflowId).describe();
    return { closed: d.status.name !== 'RUNNING', status: d.status.name };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { closed: true, status: 'NOT_FOUND' };
    throw err;
  }
}

/**
 * Temporal's status of the run (a run Temporal no longer has counts as closed), answered as soon as the run is
 * closed or after `waitMs` (`tick` is called on every look: the activity heartbeats; an aborted `signal` ends the
 * wait early).
 */
export async function scheduledRunState(
  deps: RunDeps,
  workflowId: string,
  waitMs = 0,
  opts: { tick?: () => void; signal?: AbortSignal } = {},
): Promise<ScheduledRunState> {
  const until = Date.now() + waitMs;
  for (;;) {
    const state = await runStatus(deps, workflowId);
    if (state.closed || Date.now() >= until || opts.signal?.aborted) return state;
    opts.tick?.();
    await new Promise((r) => setTimeout(r, LOOK_EVERY_MS));
  }
}

/** Cancels the run of a cancelled action (overlap policy cancel_other); a run already closed is left alone. */
export async function cancelScheduledRun(deps: RunDeps, instanceId: string): Promise<void> {
  try {
    await cancelRun(deps, instanceId, SCHEDULE_ACTOR, { reason: 'overlap policy cancel_other' });
  } catch (err) {
    if (err instanceof AppError && (err.status === 409 || err.status === 404)) return;
    throw err;
  }
}
