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
const retry = { initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 30_000 };
const activities = proxyActivities<ScheduleActivities>({ startToCloseTimeout: 30_000, retry, summary: 'schedule' });
// The watch: each call waits up to WATCH.waitMs for the run to close, heartbeating (cancellable at once).
const watch = proxyActivities<Pick<ScheduleActivities, 'scheduledRunState'>>({
  startToCloseTimeout: 90_000,
  heartbeatTimeout: 10_000,
  retry,
  summary: 'watch the scheduled run',
});

/**
 * How the action watches its run: calls that each wait up to `waitMs` for the run to close (answering the moment it
 * does), the first `eagerRounds` back to back, then with a durable sleep between calls growing from `sleepMs` to
 * `maxSleepMs`. A run of a few minutes is seen closing at once; a run of days costs a few events per sleep only.
 */
export const WATCH = { waitMs: 30_000, eagerRounds: 4, sleepMs: 30_000, maxSleepMs: 300_000 } as const;

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

/** Watches the run until it closes. */
async function untilClosed(run: ScheduledRun): Promise<ScheduledRunState> {
  for (let round = 0, gap: number = WATCH.sleepMs; ; round++) {
    const state = await watch.scheduledRunState({ workflowId: run.workflowId, waitMs: WATCH.waitMs });
    if (state.closed) return state;
    if (round < WATCH.eagerRounds) continue;
    await sleep(gap);
    gap = Math.min(gap * 2, WATCH.maxSleepMs);
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
