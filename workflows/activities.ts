/**
 * Activity proxies. Task activities get per-step options (timeouts and retry from the task definition,
 * overridden by the step); the engine's own activities use fixed profiles.
 */
import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type RetryPolicy as TemporalRetry,
} from '@temporalio/workflow';
import { ActivityCancellationType } from '@temporalio/workflow';
import type { HumanTaskActivities } from '../common/contracts/human-tasks';
import type { MirrorActivities } from '../common/contracts/mirror';
import type { TaskActivities } from '../common/contracts/tasks';
import type { TurnActivities } from '../common/contracts/turn';
import type { EngineActivities } from '../common/definitions/activity-types';
import { parseDuration } from '../common/definitions/duration';
import type { InterpreterOptions, RetryPolicy, TaskDefinitionSnapshot, TaskStep } from '../common/definitions/types';
import { FailureType } from '../common/errors/catalogue';
import { runMs } from './clock';

/** Defaults when neither the step nor the task definition says otherwise. */
export const TASK_DEFAULTS = { startToCloseMs: 60_000, maxAttempts: 3, initialIntervalMs: 1_000, backoff: 2 } as const;

/**
 * Maps a definition retry policy onto Temporal's (step fields win over task fields); intervals run on the run's
 * clock (`timeScale`, test runs).
 */
export function toTemporalRetry(
  step: RetryPolicy | undefined,
  task: RetryPolicy | undefined,
  timeScale?: number,
): TemporalRetry {
  const r = { ...task, ...step };
  const ms = (value: number) => runMs({ timeScale }, value);
  return {
    maximumAttempts: r.max_attempts ?? TASK_DEFAULTS.maxAttempts,
    initialInterval: ms(
      r.initial_interval !== undefined ? parseDuration(r.initial_interval) : TASK_DEFAULTS.initialIntervalMs,
    ),
    backoffCoefficient: r.backoff_coefficient ?? TASK_DEFAULTS.backoff,
    ...(r.max_interval !== undefined && { maximumInterval: ms(parseDuration(r.max_interval)) }),
    ...(r.non_retryable_errors && { nonRetryableErrorTypes: r.non_retryable_errors }),
  };
}

/**
 * Activity options of a task step: the step's `timeouts` over the task definition's; `step.timeout` is the
 * per-attempt (start-to-close) shorthand; the task definition's `priority` as the activity's Temporal priority key. Steps without `timeouts` get exactly the options they had before,
 * so histories replay unchanged (activity options are not part of the determinism check anyway).
 */
export function taskActivityOptions(step: TaskStep, task: TaskDefinitionSnapshot, timeScale?: number): ActivityOptions {
  const s = step.timeouts ?? {};
  const t = {
    ...task.timeouts,
    ...(s.schedule_to_close !== undefined && { schedule_to_close: s.schedule_to_close }),
    ...(s.heartbeat !== undefined && { heartbeat: s.heartbeat }),
  };
  const startToClose = s.start_to_close ?? step.timeout ?? t.start_to_close;
  return {
    startToCloseTimeout: startToClose !== undefined ? parseDuration(startToClose) : TASK_DEFAULTS.startToCloseMs,
    ...(t.schedule_to_close !== undefined && { scheduleToCloseTimeout: parseDuration(t.schedule_to_close) }),
    ...(t.heartbeat !== undefined && { heartbeatTimeout: parseDuration(t.heartbeat) }),
    retry: toTemporalRetry(step.retry, task.retry_policy, timeScale),
    // TRY_CANCEL: a cancelled run does not wait for activities that never heartbeat to notice.
    cancellationType: ActivityCancellationType.TRY_CANCEL,
    summary: `${step.id}: ${task.task_id}`,
    // Unset: the activity inherits the run's priority. Only set when the definition says so, so the commands of
    // runs recorded before task priorities existed are the same.
    ...(task.priority !== undefined && { priority: { priorityKey: task.priority } }),
  };
}

/** Task activities with the options of one step. */
export function taskActivities(options: ActivityOptions): TaskActivities {
  return proxyActivities<TaskActivities>(options);
}

/** Backoff of the engine's own activities when the run's options do not shorten it. */
export const ENGINE_RETRY_DEFAULTS = { initialIntervalMs: 1_000, maximumIntervalMs: 30_000 } as const;

/**
 * The engine's own activities (definition lookup, events, subscriptions): short attempts, retried without an
 * attempt limit at a capped backoff. Only an unavailable database or Temporal stays retryable (every other
 * error is non-retryable, activities/engine-failures.ts), so an outage delays the run, bounded only by its own
 * timeouts (the step's or the workflow's deadline cancels the retrying activity), and never fails it.
 */
export function engineActivities(summary: string, options?: InterpreterOptions): EngineActivities {
  return proxyActivities<EngineActivities>(engineActivityOptions(summary, options));
}

/** The human_task step's activities, with the engine's profile (an outage delays the step, never fails it). */
export function humanTaskActivities(summary: string, options?: InterpreterOptions): HumanTaskActivities {
  return proxyActivities<HumanTaskActivities>(engineActivityOptions(summary, options));
}

function engineActivityOptions(summary: string, options?: InterpreterOptions): ActivityOptions {
  const backoff = { ...ENGINE_RETRY_DEFAULTS, ...options?.engineRetry };
  return {
    startToCloseTimeout: 30_000,
    // No maximumAttempts: unlimited (the SDK refuses 0).
    retry: {
      initialInterval: backoff.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: backoff.maximumIntervalMs,
      nonRetryableErrorTypes: [FailureType.NotFound],
    },
    summary,
  };
}

// Mirror writes retry without limit: a database outage delays the run's bookkeeping, never loses it.
const mirror = proxyLocalActivities<MirrorActivities>({
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 500, backoffCoefficient: 2, maximumInterval: 30_000 },
  summary: 'mirror',
});

/** The mirror local activity. */
export const mirrorActivities: MirrorActivities = mirror;

/** The no-op local activity that ends the current activation (block-limits.ts). */
export const turnActivities: TurnActivities = proxyLocalActivities<TurnActivities>({
  startToCloseTimeout: 10_000,
  retry: { initialInterval: 100, backoffCoefficient: 2, maximumInterval: 5_000 },
  summary: 'step budget: next activation',
});
