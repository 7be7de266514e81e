/** Test-only workflow: calls runTask once with explicit retry options, so task behaviour is tested without the interpreter. */
import { proxyActivities } from '@temporalio/workflow';
import type { RunTaskRequest, TaskActivities } from '../../../common/contracts/tasks';

/** Retry and timeout knobs of the single activity call. */
export interface RunTaskOptions {
  maxAttempts?: number;
  initialIntervalMs?: number;
  startToCloseMs?: number;
  heartbeatMs?: number;
}

/** Runs one task and returns its output. */
export async function runTaskWorkflow(req: RunTaskRequest, opts: RunTaskOptions = {}): Promise<unknown> {
  const { runTask } = proxyActivities<TaskActivities>({
    startToCloseTimeout: opts.startToCloseMs ?? 10_000,
    ...(opts.heartbeatMs && { heartbeatTimeout: opts.heartbeatMs }),
    retry: {
      maximumAttempts: opts.maxAttempts ?? 3,
      initialInterval: opts.initialIntervalMs ?? 100,
      backoffCoefficient: 2,
    },
  });
  return runTask(req);
}
