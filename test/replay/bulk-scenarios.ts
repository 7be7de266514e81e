/**
 * Recorded runs of `bulkOperationWorkflow` for the replay fixtures: batches with sleeps between them until the last
 * one, and a cancellation mid-way (the batch finishes, the end is recorded as cancelled). The activities are local
 * fakes (no database) answering from a script per operation id: what matters for replay is the command sequence.
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import type {
  BulkBatchResult,
  BulkOperationActivities,
  BulkOperationOutcome,
  BulkOperationPlan,
} from '../../common/contracts/bulk-operations';

/** One recorded operation: its plan, the batches' answers in order, and how the recorder drives and ends it. */
export interface BulkScenario {
  plan: BulkOperationPlan;
  batches: BulkBatchResult[];
  drive: (client: Client, handle: WorkflowHandle) => Promise<void>;
}

async function batchesDone(handle: WorkflowHandle, n: number): Promise<void> {
  const done = async () =>
    ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.activityTaskCompletedEventAttributes !== undefined && e.activityTaskCompletedEventAttributes !== null,
    ).length;
  while ((await done()) < n) await new Promise((r) => setTimeout(r, 100));
}

/** Bulk operation scenarios by fixture name (the operation id is the name). */
export const BULK_SCENARIOS: Record<string, BulkScenario> = {
  // Five items, two per batch at 20/s: begin, batch, sleep, batch, sleep, batch (done), end.
  'bulk-operation-batches': {
    plan: { batchSize: 2, ratePerSecond: 20, dryRun: false, matched: 5 },
    batches: [
      { processed: 2, done: false },
      { processed: 2, done: false },
      { processed: 1, done: true },
    ],
    drive: async (_client, handle) => {
      await handle.result();
    },
  },
  // One item every five seconds; cancelled during the sleep after the first batch: the end is recorded as cancelled.
  'bulk-operation-cancelled': {
    plan: { batchSize: 1, ratePerSecond: 0.2, dryRun: false, matched: 4 },
    batches: [
      { processed: 1, done: false },
      { processed: 1, done: false },
    ],
    drive: async (_client, handle) => {
      await batchesDone(handle, 2); // begin and the first batch
      await handle.cancel();
      await handle.result().catch(() => undefined);
    },
  },
};

const calls = new Map<string, number>();
const scenarioOf = (operationId: string) => BULK_SCENARIOS[operationId.replace(/^replay-/, '')];

/** The fake bulk activities: the scenario's plan and its next scripted batch. */
export const bulkActivities: BulkOperationActivities = {
  async beginBulkOperation({ operationId }) {
    return scenarioOf(operationId).plan;
  },
  async processBulkBatch({ operationId }) {
    const n = calls.get(operationId) ?? 0;
    calls.set(operationId, n + 1);
    return scenarioOf(operationId).batches[n] ?? { processed: 0, done: true };
  },
  async finishBulkOperation({ status }): Promise<BulkOperationOutcome> {
    return { status, matched: 0, succeeded: 0, failed: 0, skipped: 0 };
  },
};
