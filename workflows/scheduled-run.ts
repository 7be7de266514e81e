/**
 * `scheduledRunWorkflow`: the action of every platform schedule (Temporal Schedule `aos-schedule.<schedule_id>`).
 * It starts the definition's run through the platform's start service (an activity: the mirrored row, the
 * `schedule` trigger, the search attributes) and, unless overlaps are allowed, stays open until that run closes,
 * so Temporal's overlap policy (skip, buffer, cancel other) applies to the real run and not to this short action.
 * Cancelled (overlap policy cancel_other), it cancels its run, waits for it to close and ends cancelled.
 */
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  ScheduleActivities,
  ScheduledRun,
  ScheduledRunArgs,
  ScheduledRunState,
} from '../common/contracts/schedules';
import { FailureType } from '../common/errors/catalogue';
import { TemporalScheduledStartTime } from '../common/search-attributes';

// Short attempts retried without a limit at a capped backoff (as the engine's own activities): an outage delays
// the action; every other error fails it at once (activities/engine-failures.ts classifies them).
const activities = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: 30_000,
  retry: { initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 30_000 },
  summary: 'schedule',
});

/** The gaps between two looks at the run: 1 s, doubling, 30 s at most (a long run costs few history events). */
export const WATCH_BACKOFF = { initialMs: 1_000, maxMs: 30_000 } as const;

/** The run's end states that count as a failure of the action (pause_on_failure). */
const FAILED = ['FAILED', 'TERMINATED', 'TIMED_OUT'];

/** What the action did. */
export interface ScheduledRunResult {
  instanceId: string;
  workflowId: string;
  /** The run's Temporal status when the action ended (`RUNNING` when it did not wait: allow_all). */
  status: string;
}

/** When the action was due: Temporal's search attribute; a start by hand falls back to the workflow's start. */
function scheduledTime(): string {
  const info = workflowInfo();
  const due = info.typedSearchAttributes.get(TemporalScheduledStartTime);
  return (due ?? info.startTime).toISOString();
}

/** Polls the run with a growing durable sleep until it closes. */
async function untilClosed(run: ScheduledRun): Promise<ScheduledRunState> {
  for (let gap: number = WATCH_BACKOFF.initialMs; ; gap = Math.min(gap * 2, WATCH_BACKOFF.maxMs)) {
    await sleep(gap);
    const state = await activities.scheduledRunState({ workflowId: run.workflowId });
    if (state.closed) return state;
  }
}

/** Starts the scheduled run and, when the overlap policy needs it, lives as long as the run. */
export async function scheduledRunWorkflow(args: ScheduledRunArgs): Promise<ScheduledRunResult> {
  // Not cancellable: a cancel arriving mid-start must still learn the run, to cancel it.
  const run = await CancellationScope.nonCancellable(() =>
    activities.startScheduledRun({ scheduleRowId: args.scheduleRowId, scheduledTime: scheduledTime() }),
  );
  const result = { instanceId: run.instanceId, workflowId: run.workflowId };
  if (!run.watch) return { ...result, status: 'RUNNING' };
  let state: ScheduledRunState;
  try {
    state = await untilClosed(run);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      await activities.cancelScheduledRun({ instanceId: run.instanceId });
      await untilClosed(run);
    });
    throw err;
  }
  if (run.failOnRunFailure && FAILED.includes(state.status))
    throw ApplicationFailure.nonRetryable(
      `The scheduled run ${run.workflowId} ended ${state.status}`,
      FailureType.WorkflowFailed,
      { ...result, status: state.status },
    );
  return { ...result, status: state.status };
}
