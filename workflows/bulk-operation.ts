/**
 * `bulkOperationWorkflow` (#15 item 3, docs/bulk-operations.md): finds an operation's targets once (its items), then
 * acts on pending items batch by batch at the operation's rate, sleeping between batches; a long job continues as
 * new. Cancelling it lets the current batch finish, then marks the operation `cancelled` (the rest stay pending).
 */
import {
  CancellationScope,
  continueAsNew,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  BulkOperationActivities,
  BulkOperationOutcome,
  BulkOperationWorkflowInput,
} from '../common/contracts/bulk-operations';

const retry = { initialInterval: 1_000, maximumInterval: 30_000, maximumAttempts: 10 };

// Finding the targets pages through the mirror (or a visibility query); it heartbeats per page.
const finder = proxyActivities<BulkOperationActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry,
  summary: 'bulk operation: find targets',
});

// One batch: at most 100 items, each a database write and at most one Temporal call.
const worker = proxyActivities<BulkOperationActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry,
  summary: 'bulk operation: batch',
});

const bookkeeping = proxyActivities<BulkOperationActivities>({
  startToCloseTimeout: '1 minute',
  // Retried until it lands: the operation's row must say how it ended.
  retry: { initialInterval: retry.initialInterval, maximumInterval: retry.maximumInterval },
  summary: 'bulk operation: end',
});

/** Batches per workflow run before it continues as new (the history stays small). */
const BATCHES_PER_RUN = 200;

/** Runs one bulk operation to its end; answers its counters. */
export async function bulkOperationWorkflow(input: BulkOperationWorkflowInput): Promise<BulkOperationOutcome> {
  const { operationId } = input;
  let again = false;
  try {
    const plan = input.plan ?? (await finder.beginBulkOperation({ operationId }));
    if (!plan.dryRun) {
      for (let batch = 0; ; batch++) {
        // The batch finishes even when the operation is cancelled meanwhile: its items act exactly once.
        const r = await CancellationScope.nonCancellable(() =>
          worker.processBulkBatch({ operationId, limit: plan.batchSize }),
        );
        if (r.done) break;
        await sleep(Math.ceil((r.processed / plan.ratePerSecond) * 1000));
        if (batch + 1 >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) {
          again = true;
          input = { operationId, plan };
          break;
        }
      }
    }
  } catch (err) {
    const cancelled = isCancellation(err);
    const error = cancelled
      ? undefined
      : { type: 'BulkOperationFailed', message: String((err as Error)?.message ?? err) };
    await CancellationScope.nonCancellable(() =>
      bookkeeping.finishBulkOperation({ operationId, status: cancelled ? 'cancelled' : 'failed', error }),
    );
    throw err;
  }
  if (again) return continueAsNew<typeof bulkOperationWorkflow>(input);
  // Every item has been acted on: a cancellation arriving now does not undo that.
  return CancellationScope.nonCancellable(() => bookkeeping.finishBulkOperation({ operationId, status: 'completed' }));
}
