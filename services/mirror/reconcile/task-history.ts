/**
 * Reads the `runTask` activities of one run from Temporal's history: what each one was asked to do (the
 * scheduled RunTaskRequest) and how it ended. The reconciler rebuilds task_instances rows from this when the
 * task mirror's own writes were lost (database outage).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import type { RunTaskRequest } from '../../../common/contracts/tasks';
import { FailureType } from '../../../common/errors';
import type { TaskAttempt, TaskAttemptEnd } from '../task-mirror';

/** One runTask activity as history tells it; `end` is absent while the activity is still open. */
export interface HistoryTask {
  attempt: TaskAttempt;
  end?: TaskAttemptEnd;
}

/** The runTask activities of a run, and whether the run itself has closed. */
export interface RunTaskHistory {
  closed: boolean;
  tasks: HistoryTask[];
}

type HistoryResponse = Awaited<ReturnType<Client['workflowService']['getWorkflowExecutionHistory']>>;
type HistoryEvent = NonNullable<NonNullable<HistoryResponse['history']>['events']>[number];
type Failure = NonNullable<NonNullable<HistoryEvent['activityTaskFailedEventAttributes']>['failure']>;

const RUN_TASK = 'runTask';
// Pages keep memory bounded on long histories; only the runTask entries are kept between pages.
const PAGE_SIZE = 1_000;

const decode = (p: Payload | null | undefined): unknown => (p ? defaultPayloadConverter.fromPayload(p) : undefined);
const at = (e: HistoryEvent) => new Date(tsToMs(e.eventTime));

// The same { type, message, nonRetryable } shape runTask writes (see activities/tasks/failures.ts).
function failureOf(f: Failure | null | undefined, fallback: string) {
  const info = f?.applicationFailureInfo;
  return { type: info?.type || fallback, message: f?.message || fallback, nonRetryable: info?.nonRetryable === true };
}

function endOf(e: HistoryEvent): { scheduledId: string; end: TaskAttemptEnd } | undefined {
  const endedAt = at(e);
  const done = e.activityTaskCompletedEventAttributes;
  if (done)
    return {
      scheduledId: String(done.scheduledEventId),
      end: { status: 'completed', output: decode(done.result?.payloads?.[0]), endedAt },
    };
  const failed = e.activityTaskFailedEventAttributes;
  if (failed)
    return {
      scheduledId: String(failed.scheduledEventId),
      end: { status: 'failed', error: failureOf(failed.failure, FailureType.Error), endedAt },
    };
  const timedOut = e.activityTaskTimedOutEventAttributes;
  // The interpreter reports activity timeouts as type Timeout (workflows/step-errors.ts); so does the mirror.
  if (timedOut) {
    const error = { ...failureOf(timedOut.failure, FailureType.Timeout), type: FailureType.Timeout };
    return { scheduledId: String(timedOut.scheduledEventId), end: { status: 'timed_out', error, endedAt } };
  }
  const cancelled = e.activityTaskCanceledEventAttributes;
  if (cancelled) {
    const error = { type: FailureType.Cancelled, message: 'activity cancelled', nonRetryable: true };
    return { scheduledId: String(cancelled.scheduledEventId), end: { status: 'cancelled', error, endedAt } };
  }
  return undefined;
}

const CLOSE_EVENTS: (keyof HistoryEvent)[] = [
  'workflowExecutionCompletedEventAttributes',
  'workflowExecutionFailedEventAttributes',
  'workflowExecutionCanceledEventAttributes',
  'workflowExecutionTerminatedEventAttributes',
  'workflowExecutionTimedOutEventAttributes',
  'workflowExecutionContinuedAsNewEventAttributes',
];

/** Reads the runTask activities of `workflowId`/`runId`, page by page. */
export async function readRunTaskHistory(temporal: Client, workflowId: string, runId: string): Promise<RunTaskHistory> {
  const tasks = new Map<string, HistoryTask>();
  let closed = false;
  let nextPageToken: Uint8Array | undefined;
  do {
    const res: HistoryResponse = await temporal.workflowService.getWorkflowExecutionHistory({
      namespace: temporal.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: PAGE_SIZE,
      nextPageToken,
    });
    for (const e of res.history?.events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === RUN_TASK && scheduled.activityId) {
        const req = decode(scheduled.input?.payloads?.[0]) as RunTaskRequest;
        const scheduledAt = at(e);
        tasks.set(String(e.eventId), {
          attempt: { ...req, attempt: 1, activityId: scheduled.activityId, scheduledAt, startedAt: scheduledAt },
        });
        continue;
      }
      const started = e.activityTaskStartedEventAttributes;
      const startedTask = started && tasks.get(String(started.scheduledEventId));
      if (startedTask) {
        startedTask.attempt = { ...startedTask.attempt, attempt: started.attempt ?? 1, startedAt: at(e) };
        continue;
      }
      const ended = endOf(e);
      const endedTask = ended && tasks.get(ended.scheduledId);
      if (ended && endedTask) endedTask.end = ended.end;
      else if (CLOSE_EVENTS.some((k) => e[k])) closed = true;
    }
    nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
  } while (nextPageToken);
  return { closed, tasks: [...tasks.values()] };
}
