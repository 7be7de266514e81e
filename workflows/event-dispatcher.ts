/**
 * `eventDispatcherWorkflow` (id `aos-event-dispatcher:<taskQueue>`): the one long-running workflow that
 * delivers stored events. Each pass claims due events from event_queue_state and routes them in a local
 * activity; a full pass is followed at once by the next, otherwise it sleeps until a wake-up signal (ingest,
 * redrive, sweeper) or the next retry falls due. Temporal work is per pass, not per event.
 */
import {
  condition,
  continueAsNew,
  patched,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { DispatchActivities } from '../common/contracts/events';
import type { DispatcherInput } from '../common/events/delivery';
import { dispatcherWakeSignal } from './api';

export { dispatcherWakeSignal } from './api';

// Local activity: the pass runs in the same worker task as the workflow, saving a task round trip per wake-up.
// Outcomes per event are recorded by the activity; a failing pass (database down) is retried until it answers.
const { dispatchPending } = proxyLocalActivities<DispatchActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

const STUCK_RETRY = '1s';

/** Patch id of the workflow-task yield between back-to-back passes (histories from before it replay without). */
export const DISPATCHER_YIELD_PATCH = 'dispatcher-yields-workflow-task';

/** Dispatches events forever (continuing as new to bound its history). */
export async function eventDispatcherWorkflow(input: DispatcherInput = {}): Promise<void> {
  const batchSize = input.batchSize ?? 100;
  const passesPerRun = input.passesPerRun ?? 500;
  const maxTaskSliceMs = input.maxTaskSliceMs ?? 2_000;
  let woken = false;
  // The workflow task a pass runs in: a new one shows as a new history length. Local activity results advance
  // workflow time within one task, so `Date.now() - task.since` is the task's age.
  let task = { historyLength: -1, since: 0 };
  setHandler(dispatcherWakeSignal, () => void (woken = true));
  for (let pass = 1; ; pass++) {
    // Reset before the pass: a wake-up that arrives while it runs must trigger another pass.
    woken = false;
    const { historyLength } = workflowInfo();
    if (historyLength !== task.historyLength) task = { historyLength, since: Date.now() };
    const result = await dispatchPending({ dispatcherId: workflowInfo().workflowId, limit: batchSize });
    // The next run starts with a pass, so wake-ups not yet seen by this one are not lost.
    if (pass >= passesPerRun || workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof eventDispatcherWorkflow>(input);
    const due = result.nextDueInMs;
    const progressed = result.delivered + result.failed + result.deadLettered > 0;
    if (result.full || (due !== null && due <= 0 && progressed)) {
      // A backlog: passes follow each other inside one workflow task; end it now and then (a 1 ms timer).
      if (Date.now() - task.since >= maxTaskSliceMs && patched(DISPATCHER_YIELD_PATCH)) await sleep(1);
      continue;
    }
    // Due but not claimable (rows locked by a timed-out pass still running): retry soon, without spinning.
    if (due !== null && due <= 0) {
      await condition(() => woken, STUCK_RETRY);
    } else if (due === null) {
      // Nothing due: wait for a wake-up, or the next retry's time (no timer when nothing waits at all).
      await condition(() => woken);
    } else {
      await condition(() => woken, Math.ceil(due));
    }
  }
}
