/**
 * `eventDispatcherWorkflow`: a long-running workflow that delivers stored events, one per dispatcher shard
 * (id `aos-event-dispatcher:<taskQueue>:<index>/<count>`, delivering the rows with `dispatch_hash % count =
 * index`; before sharding, one per task queue with id `aos-event-dispatcher:<taskQueue>`, delivering every row).
 * Each pass claims due events from event_queue_state and routes them in a local activity; a full pass is followed
 * at once by the next, otherwise it sleeps until a wake-up signal (ingest, redrive, sweeper) or the next retry
 * falls due. Temporal work is per pass, not per event.
 * A shard whose count is not the one configured on the worker (`EVENT_DISPATCH_SHARDS` changed), and the
 * unsharded dispatcher, retire: they deliver until nothing of their slice waits, then return. Rows are never
 * orphaned by that: a row waits only while some dispatcher whose slice holds it has it due or retrying.
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
import { dispatcherWorkflowId, type DispatcherInput, type DispatchResult } from '../common/events/delivery';
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

/** Patch id of retiring (returning once drained) for dispatchers not of the configured shard count. */
export const DISPATCHER_SHARDS_PATCH = 'dispatcher-shards-retire';

// An idle shard looks again this often, so one of a shard count no longer configured notices and retires.
const IDLE_RECHECK = '10m';

/** The request of one pass: a shard claims its slice of the task queue's rows; the unsharded one its own id's. */
function passRequest(input: DispatcherInput, limit: number): Parameters<DispatchActivities['dispatchPending']>[0] {
  const { workflowId, taskQueue } = workflowInfo();
  if (!input.shard) return { dispatcherId: workflowId, limit };
  return { dispatcherId: workflowId, limit, owner: dispatcherWorkflowId(taskQueue), shard: input.shard };
}

/** Whether this dispatcher is not one the worker's configuration runs and nothing of its slice waits. */
function drainedAndRetired(input: DispatcherInput, result: DispatchResult): boolean {
  if (result.full || result.nextDueInMs !== null || result.shards === undefined) return false;
  return input.shard === undefined || input.shard.count !== result.shards;
}

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
    const result = await dispatchPending(passRequest(input, batchSize));
    // Not while a wake-up is unseen: its events may have been committed after this pass looked.
    if (!woken && drainedAndRetired(input, result) && patched(DISPATCHER_SHARDS_PATCH)) return;
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
      // Nothing due: wait for a wake-up (no timer when nothing waits at all; a shard re-checks its count now and then).
      if (input.shard) await condition(() => woken, IDLE_RECHECK);
      else await condition(() => woken);
    } else {
      await condition(() => woken, Math.ceil(due));
    }
  }
}
