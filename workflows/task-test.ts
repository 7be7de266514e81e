/**
 * `taskTestWorkflow`: a single-task test (docs/testing.md, "Testing one task"). One `testTask` activity, one
 * attempt, bounded by the task's own timeout; what the task did is the activity's answer. Only an attempt the
 * activity could not answer for (it timed out, or its heartbeat stopped) is turned into a `Timeout` result here.
 */
import { ActivityFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { TaskTestActivities, TaskTestRequest, TaskTestResult } from '../common/contracts/testing';
import { FailureType } from '../common/errors/catalogue';

function timeoutOf(cause: TimeoutFailure, req: TaskTestRequest): string {
  return cause.timeoutType === 'HEARTBEAT' ? `no heartbeat for ${req.heartbeat_ms} ms` : `after ${req.timeout_ms} ms`;
}

/** Runs the task once through the worker's `runTask` and answers what happened. */
export async function taskTestWorkflow(req: TaskTestRequest): Promise<TaskTestResult> {
  const { testTask } = proxyActivities<TaskTestActivities>({
    startToCloseTimeout: req.timeout_ms,
    ...(req.heartbeat_ms !== undefined && { heartbeatTimeout: req.heartbeat_ms }),
    retry: { maximumAttempts: 1 },
    summary: `test ${req.task.task_id}@${req.task.version}`,
  });
  const startedAt = Date.now();
  try {
    return await testTask(req);
  } catch (err) {
    if (!(err instanceof ActivityFailure && err.cause instanceof TimeoutFailure)) throw err;
    return {
      status: 'failed',
      error: {
        type: FailureType.Timeout,
        message: `task ${req.task.task_id}@${req.task.version}: the attempt timed out (${timeoutOf(err.cause, req)})`,
        retryable: true,
      },
      input_check: { valid: true, errors: [] },
      duration_ms: Date.now() - startedAt,
      started_at: new Date(startedAt).toISOString(),
      task: { task_id: req.task.task_id, version: req.task.version, type: req.task.type },
    };
  }
}
