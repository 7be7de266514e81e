/**
 * Single-task tests (docs/testing.md, "Testing one task"), like Step Functions' TestState: one task definition
 * (a stored version, or a document not saved yet) runs once with a given input through its real executor, on the
 * worker (`taskTestWorkflow` on the main task queue), and the answer is the output or the error, the schema checks
 * of input and output, and the timing. No workflow definition, no workflow_instances or task_instances rows.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { defaultPayloadConverter, TimeoutFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../common/config';
import { TASK_TEST_WORKFLOW_PREFIX, type TaskTestResult } from '../../common/contracts/testing';
import { parseDuration } from '../../common/definitions/duration';
import { MANUAL_TASK_TYPE } from '../../common/definitions/kinds';
import type { TaskDefinitionSnapshot } from '../../common/definitions/types';
import { AppError } from '../../common/errors';
import { DEFAULT_PAYLOAD_LIMIT_BYTES, oversize, payloadTooLargeMessage } from '../../common/payload-size';
import type { Db } from '../../db/repositories/sql';
import { TASK_DEFAULTS } from '../../workflows/activities';
import { TASK_TEST_WORKFLOW_TYPE, type TaskTestWorkflow } from '../../workflows/api';
import { invalidDefinition } from '../definitions/errors';
import { checkTaskDefinition, taskVersions, toDocumentSnapshot, toTaskSnapshot } from '../definitions/task-definitions';

/** What a single-task test needs: Temporal and the task queue the orchestrator worker polls. */
export interface TaskTestDeps {
  temporal: Client;
  config: Pick<Config, 'taskQueue'> & Partial<Pick<Config, 'temporalPayloadLimitBytes'>>;
}

/** One test: the snapshot to run (as a run would carry it), its input, and optionally a shorter bound. */
export interface TaskTestRun {
  task: TaskDefinitionSnapshot;
  input: unknown;
  /** Bound of the attempt; default the task's start-to-close (and schedule-to-close), at most {@link MAX_TASK_TEST_MS}. */
  timeoutMs?: number;
  /** JSON pointer of the input in the caller's request, for a refused input [`/input`]. */
  inputPointer?: string;
  /** JSON pointer of the task definition document in the caller's request, for a refused task [``]. */
  taskPointer?: string;
}

/** The longest a single-task test's attempt may take, whatever the task's own timeout says. */
export const MAX_TASK_TEST_MS = 5 * 60_000;

/** Time a worker has to pick the test up on top of the attempt's bound; past it the test answers 503. */
export const TASK_TEST_PICKUP_MS = 30_000;

/** The attempt's bound: the task's timeouts as a run applies them (default 60 s), capped. */
export function taskTestTimeoutMs(task: TaskDefinitionSnapshot, requested?: number): number {
  const t = task.timeouts ?? {};
  const bounds = [
    t.start_to_close !== undefined ? parseDuration(t.start_to_close) : TASK_DEFAULTS.startToCloseMs,
    t.schedule_to_close !== undefined ? parseDuration(t.schedule_to_close) : Infinity,
    requested ?? Infinity,
    MAX_TASK_TEST_MS,
  ];
  return Math.max(1, Math.min(...bounds));
}

/**
 * Runs `task` once on the worker and answers what happened; a failing task is a result with status `failed`.
 * 422 for a manual task or an input over Temporal's payload limit; 503 when no worker ran it in time (and
 * Temporal errors, which the API maps). Reusable by test runs whose target is a task.
 */
export async function runTaskTest(deps: TaskTestDeps, run: TaskTestRun): Promise<TaskTestResult> {
  const { task, input } = run;
  if (task.type === MANUAL_TASK_TYPE)
    throw AppError.unprocessable(`Task ${task.task_id}@${task.version} is a manual task: a person does it`, [
      { pointer: `${run.taskPointer ?? ''}/type`, message: 'a manual task has no executor to test' },
    ]);
  const limit = deps.config.temporalPayloadLimitBytes ?? DEFAULT_PAYLOAD_LIMIT_BYTES;
  const size = oversize(defaultPayloadConverter, [input], limit);
  if (size !== undefined) {
    const pointer = run.inputPointer ?? '/input';
    throw AppError.unprocessable('The input is too large', [
      { pointer, message: payloadTooLargeMessage('input', size, limit) },
    ]);
  }
  const timeoutMs = taskTestTimeoutMs(task, run.timeoutMs);
  const heartbeat = task.timeouts?.heartbeat;
  const workflowId = `${TASK_TEST_WORKFLOW_PREFIX}${randomUUID()}`;
  const handle = await deps.temporal.workflow.start<TaskTestWorkflow>(TASK_TEST_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: deps.config.taskQueue,
    args: [
      {
        task,
        input,
        timeout_ms: timeoutMs,
        ...(heartbeat !== undefined && { heartbeat_ms: parseDuration(heartbeat) }),
      },
    ],
    // Bounds the whole test: with no worker polling, it ends by itself instead of waiting forever.
    workflowExecutionTimeout: timeoutMs + TASK_TEST_PICKUP_MS,
  });
  try {
    return await handle.result();
  } catch (err) {
    if (err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure)
      throw new AppError(
        503,
        'Service Unavailable',
        `No worker ran the test of ${task.task_id}@${task.version} in time (workflow ${workflowId}); retry later`,
      );
    throw err;
  }
}

/** A stored task: `version`, else the current one (highest active, else newest); drafts can be tested. 404 when unknown. */
export async function storedTaskSnapshot(db: Db, taskId: string, version?: string): Promise<TaskDefinitionSnapshot> {
  const row = version ? await taskVersions.getVersion(db, taskId, version) : await taskVersions.getCurrent(db, taskId);
  return toTaskSnapshot(row);
}

/**
 * A task definition document not stored yet, validated as a create would validate it: 422 with every error,
 * pointers under `pointer` (e.g. `/body/definition`).
 */
export async function inlineTaskSnapshot(doc: unknown, pointer = '/definition'): Promise<TaskDefinitionSnapshot> {
  const errors = await checkTaskDefinition(doc);
  if (errors.length > 0) throw invalidDefinition('Task definition', errors, pointer);
  return toDocumentSnapshot(doc as Record<string, unknown>);
}
