/**
 * The activities of `scheduledRunWorkflow` (contract: common/contracts/schedules.ts): thin adapters over
 * services/schedules/runs.ts. The input template renders with the task templates' renderer (the platform's
 * budgeted JSONata); an expression failing there fails the action for good (`ExpressionError`).
 */
import { Context } from '@temporalio/activity';
import type { ScheduleActivities } from '../../common/contracts/schedules';
import { cancelScheduledRun, scheduledRunState, startScheduledRun } from '../../services/schedules';
import type { RunDeps } from '../../services/runs';
import { withEngineFailures } from '../engine-failures';
import { render } from '../tasks/template';

/** Builds the schedule activities over the run services' dependencies. */
export function createScheduleActivities(deps: RunDeps): ScheduleActivities {
  return withEngineFailures({
    startScheduledRun: (req) =>
      startScheduledRun(deps, req, (template, bindings) => render(template, { ...bindings }, '/input')),
    scheduledRunState: ({ workflowId, waitMs }) => {
      const ctx = Context.current();
      return scheduledRunState(deps, workflowId, waitMs, {
        tick: () => ctx.heartbeat(),
        signal: ctx.cancellationSignal,
      });
    },
    cancelScheduledRun: ({ instanceId }) => cancelScheduledRun(deps, instanceId),
  } satisfies ScheduleActivities);
}
