/**
 * `runTask`: the one activity behind every task step. Looks the type up in the registry, validates input,
 * executes, validates output, and mirrors the attempt into task_instances around it.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Context } from '@temporalio/activity';
import { CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import type { RunTaskRequest } from '../../common/contracts/tasks';
import { FailureType } from '../../common/errors';
import type { Logger } from '../../common/logger';
import {
  DEFAULT_PAYLOAD_LIMIT_BYTES,
  oversize,
  PAYLOAD_TOO_LARGE,
  payloadTooLargeMessage,
} from '../../common/payload-size';
import { SpanAttr } from '../../common/telemetry';
import type { TaskAttempt, TaskMirror } from '../../services/mirror/task-mirror';
import type { LimitWaiter, TaskLimiter } from '../../services/task-limits/limiter';
import { describeFailure, nonRetryable, toFailure } from './failures';
import { checkSchema } from './schema-check';
import type { TaskRegistry } from './types';
import { taskAttemptDuration, taskAttempts, taskFailures } from '../../services/observability/metrics';

/** What runTask is built from. */
export interface RunTaskDeps {
  registry: TaskRegistry;
  mirror: TaskMirror;
  logger: Logger;
  /** Temporal's per-payload limit [DEFAULT_PAYLOAD_LIMIT_BYTES]: a larger result fails as PayloadTooLarge. */
  payloadLimitBytes?: number;
  /** Holds task definitions' `limits` across workers; without it limits are not enforced (unit tests only). */
  limiter?: TaskLimiter;
}

/** No limiter: every call goes at once. */
const UNLIMITED: TaskLimiter = { run: (_task, _holder, _waiter, call) => call({ leaseMs: 0, rateMs: 0 }) };

/** How a waiting attempt sleeps, heartbeats and knows its deadline (the earlier of its two timeouts). */
function limitWaiter(activity: Context, startedAt: number): LimitWaiter {
  const { info } = activity;
  const ends = [
    info.startToCloseTimeoutMs > 0 ? startedAt + info.startToCloseTimeoutMs : Infinity,
    info.scheduleToCloseTimeoutMs > 0 ? info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs : Infinity,
  ];
  const deadline = Math.min(...ends);
  return {
    sleep: (ms) => activity.sleep(ms),
    // Heartbeats carry cancellation back (also without a heartbeat timeout, then throttled to 30 s by the SDK);
    // with the details the attempt started with, so a retry still gets the executor's last progress.
    heartbeat: () => activity.heartbeat(info.heartbeatDetails),
    heartbeatEveryMs: info.heartbeatTimeoutMs ? Math.min(1_000, info.heartbeatTimeoutMs / 3) : 1_000,
    ...(Number.isFinite(deadline) && { deadline }),
  };
}

// A run with mirroring off (`ctx.mirror === false`) writes no task_instances rows at all.
const NO_MIRROR: TaskMirror = { started: () => undefined, finished: async () => undefined };

function isCancellation(err: unknown, signal: AbortSignal): boolean {
  return err instanceof CancelledFailure || (signal.aborted && (err as Error)?.name === 'AbortError');
}

/** Builds the `runTask` activity. */
export function createRunTask({
  registry,
  mirror: taskMirror,
  logger,
  payloadLimitBytes = DEFAULT_PAYLOAD_LIMIT_BYTES,
  limiter = UNLIMITED,
}: RunTaskDeps): (req: RunTaskRequest) => Promise<unknown> {
  return async function runTask({ task, input, ctx }: RunTaskRequest): Promise<unknown> {
    const mirror = ctx.mirror === false ? NO_MIRROR : taskMirror;
    const activity = Context.current();
    const { info } = activity;
    const log = logger.child({
      workflowId: ctx.workflowId,
      runId: ctx.runId,
      stepId: ctx.stepId,
      taskId: task.task_id,
      attempt: info.attempt,
    });
    const attempt: TaskAttempt = {
      task,
      ctx,
      input,
      attempt: info.attempt,
      activityId: info.activityId,
      scheduledAt: new Date(info.scheduledTimestampMs),
      startedAt: new Date(),
    };
    mirror.started(attempt);
    // The attempt's RunActivity span (Temporal's activity interceptor), child of the step's StartActivity span.
    const span = trace.getActiveSpan();
    span?.setAttributes({
      [SpanAttr.taskType]: task.type,
      'aos.task_id': task.task_id,
      'aos.task_version': task.version,
      'aos.attempt': info.attempt,
      [SpanAttr.stepId]: ctx.stepId,
      [SpanAttr.instanceId]: ctx.instanceId,
      [SpanAttr.temporalWorkflowId]: ctx.workflowId,
    });
    const metricLabels = { task_type: task.type };
    taskAttempts.inc(metricLabels);
    const endTimer = taskAttemptDuration.startTimer(metricLabels);
    try {
      const executor = registry.get(task.type);
      if (!executor) {
        throw nonRetryable(
          FailureType.UnknownTaskType,
          `task ${task.task_id}@${task.version}: type "${task.type}" is not registered in this worker (known: ${[...registry.keys()].join(', ')})`,
        );
      }
      checkSchema(task, 'input', input);
      const signal = activity.cancellationSignal;
      // One holder per attempt: a retried acquire of the same attempt renews its own lease.
      const run = info.workflowExecution;
      const holder = `${run?.workflowId}/${run?.runId}/${info.activityId}/${info.attempt}`;
      const waiter = limitWaiter(activity, attempt.startedAt.getTime());
      const output = await limiter.run(task, holder, waiter, (waits) => {
        if (waits.leaseMs + waits.rateMs > 0)
          span?.setAttributes({ 'aos.limit_lease_wait_ms': waits.leaseMs, 'aos.limit_rate_wait_ms': waits.rateMs });
        return executor({
          task,
          input,
          ctx,
          attempt: info.attempt,
          logger: log,
          signal,
          heartbeat: (d) => activity.heartbeat(d),
        });
      });
      checkSchema(task, 'output', output);
      // Temporal would refuse the completion after the mirror said `completed`: fail the attempt first, for good.
      const size = oversize(defaultPayloadConverter, [output], payloadLimitBytes);
      if (size !== undefined)
        throw nonRetryable(
          PAYLOAD_TOO_LARGE,
          payloadTooLargeMessage(`task ${task.task_id}@${task.version} output`, size, payloadLimitBytes),
        );
      endTimer();
      await mirror.finished(attempt, { status: 'completed', output, endedAt: new Date() });
      log.debug('task completed');
      return output;
    } catch (err) {
      const cancelled = isCancellation(err, activity.cancellationSignal);
      const error = cancelled
        ? { type: FailureType.Cancelled, message: (err as Error).message, nonRetryable: true }
        : describeFailure(err);
      endTimer();
      if (!cancelled) taskFailures.inc(metricLabels);
      if (span) {
        span.setAttribute('aos.error_type', error.type);
        if (cancelled) span.setAttribute('aos.cancelled', true);
        // Temporal's interceptor records the exception when the failure leaves the activity.
        else span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
      await mirror.finished(attempt, { status: cancelled ? 'cancelled' : 'failed', error, endedAt: new Date() });
      log.warn({ errorType: error.type, nonRetryable: error.nonRetryable, msg: error.message }, 'task attempt failed');
      if (cancelled) throw err;
      throw toFailure(err);
    }
  };
}
