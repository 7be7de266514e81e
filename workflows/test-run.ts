/**
 * `testRunWorkflow` (#14): runs the cases of a test run, at most `concurrency` at a time, each through the
 * `runTestCase` activity (which starts the case's interpreter run on the test task queue, sends it its events and
 * human-task submissions, and records its result), then records the run's status, summary and coverage.
 * Cancelling this workflow cancels the running cases (their runs are cancelled) and ends the rest `skipped`.
 */
import {
  ActivityCancellationType,
  CancellationScope,
  isCancellation,
  log,
  proxyActivities,
} from '@temporalio/workflow';
import type { TestRunActivities, TestRunOutcome, TestRunWorkflowInput } from '../common/contracts/testing';

const bookkeeping = proxyActivities<TestRunActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  summary: 'test run',
});

// A case is bounded by its own timeout (default 60 s, at most an hour); the activity heartbeats while it drives the
// run. WAIT_CANCELLATION_COMPLETED: a cancelled case has cancelled its run and recorded `skipped` before this ends.
const cases = proxyActivities<TestRunActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  summary: 'test case',
});

/** Runs a test run's cases; answers its outcome. */
export async function testRunWorkflow({ testRunId }: TestRunWorkflowInput): Promise<TestRunOutcome> {
  const { caseResultIds, concurrency } = await bookkeeping.beginTestRun({ testRunId });
  let next = 0;
  const lane = async () => {
    while (next < caseResultIds.length) {
      const caseResultId = caseResultIds[next++];
      try {
        await cases.runTestCase({ testRunId, caseResultId });
      } catch (err) {
        // A case whose activity gave up (retries exhausted) does not stop the others: finishTestRun errors it.
        if (isCancellation(err)) throw err;
        log.warn('test case could not be run', { caseResultId, error: String(err) });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, caseResultIds.length)) }, lane));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => bookkeeping.finishTestRun({ testRunId, cancelled: true }));
    throw err;
  }
  return bookkeeping.finishTestRun({ testRunId });
}
