/**
 * Recorded runs of `eventDispatcherWorkflow` for the replay fixtures: busy passes, a retry timer, an idle
 * wait ended by a wake-up signal, continue-as-new, and (sharded) a shard that retires when the configured
 * shard count changed and the unsharded dispatcher retiring once drained. `dispatchPending` is a local fake (no database)
 * answering from a script per dispatcher id: what matters for replay is the command sequence.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import type { DispatcherInput, DispatchRequest, DispatchResult } from '../../common/events/delivery';
import { DISPATCHER_WAKE_SIGNAL } from '../../common/events/delivery';

/** One recorded dispatcher: its input, the fake's answers in order, and how the recorder drives and ends it. */
export interface DispatcherScenario {
  input: DispatcherInput;
  passes: Array<Partial<DispatchResult>>;
  /** Drives the run after it started (signals); ends it unless it ends by itself. */
  drive: (client: Client, handle: WorkflowHandle) => Promise<void>;
}

const idle = (ms: number | null): Partial<DispatchResult> => ({ nextDueInMs: ms });

async function passesDone(handle: WorkflowHandle, n: number): Promise<void> {
  while (((await handle.fetchHistory()).events ?? []).filter((e) => e.markerRecordedEventAttributes).length < n)
    await new Promise((r) => setTimeout(r, 100));
}

/** Waits until the dispatcher is idle after `n` passes, then wakes it. */
async function wakeAfter(handle: WorkflowHandle, n: number): Promise<void> {
  await passesDone(handle, n);
  await new Promise((r) => setTimeout(r, 300));
  await handle.signal(DISPATCHER_WAKE_SIGNAL);
}

/** Dispatcher scenarios by fixture name. */
export const DISPATCHER_SCENARIOS: Record<string, DispatcherScenario> = {
  // full pass -> next at once; a retry due in 200 ms -> timer; idle -> wake-up signal -> pass; then cancelled.
  'dispatcher-busy-retry-idle': {
    input: { batchSize: 2 },
    passes: [
      { delivered: 2, full: true },
      { delivered: 1, failed: 1, ...idle(200) },
      { delivered: 1, ...idle(null) },
      { delivered: 1, ...idle(null) },
    ],
    drive: async (_client, handle) => {
      await wakeAfter(handle, 3);
      await passesDone(handle, 4);
      await handle.cancel();
      await handle.result().catch(() => undefined);
    },
  },
  // A backlog of three full passes with no time allowed per workflow task: a 1 ms timer after each full pass.
  'dispatcher-yields': {
    input: { maxTaskSliceMs: 0 },
    passes: [
      { delivered: 2, full: true },
      { delivered: 2, full: true },
      { delivered: 1, ...idle(null) },
    ],
    drive: async (_client, handle) => {
      await passesDone(handle, 4); // three passes and the patch marker
      await handle.cancel();
      await handle.result().catch(() => undefined);
    },
  },
  // Continues as new after two passes (the recorder keeps the first run).
  'dispatcher-continue-as-new': {
    input: { passesPerRun: 2 },
    passes: [
      { delivered: 1, ...idle(null) },
      { delivered: 1, ...idle(null) },
    ],
    drive: async (_client, handle) => {
      await wakeAfter(handle, 1);
      while ((await handle.describe()).runId === handle.firstExecutionRunId)
        await new Promise((r) => setTimeout(r, 100));
      await handle.terminate('recorded');
    },
  },
  // Shard 1 of 4: a pass on a worker configured for 4 shards, an idle wait (with the re-check timer) ended by a
  // wake-up, then a pass on a worker configured for 2: nothing of its slice waits, so it returns.
  'dispatcher-shard-retires': {
    input: { shard: { index: 1, count: 4 } },
    passes: [
      { delivered: 2, ...idle(null), shards: 4 },
      { delivered: 1, ...idle(null), shards: 2 },
    ],
    drive: async (_client, handle) => {
      await wakeAfter(handle, 1);
      await handle.result();
    },
  },
  // The unsharded dispatcher of before sharding, run by a worker that has shards: it drains, then returns.
  'dispatcher-unsharded-retires': {
    input: {},
    passes: [
      { delivered: 2, full: true, shards: 4 },
      { delivered: 1, ...idle(null), shards: 4 },
    ],
    drive: async (_client, handle) => {
      await handle.result();
    },
  },
};

const calls = new Map<string, number>();

/** The fake dispatch activity: the scenario's next scripted answer (then idle). */
export const dispatcherActivities = {
  async dispatchPending(req: DispatchRequest): Promise<DispatchResult> {
    const name = req.dispatcherId.replace(/^replay-/, '');
    const n = calls.get(name) ?? 0;
    calls.set(name, n + 1);
    const answer = DISPATCHER_SCENARIOS[name]?.passes[n] ?? idle(null);
    return { delivered: 0, failed: 0, deadLettered: 0, full: false, nextDueInMs: null, ...answer };
  },
};
