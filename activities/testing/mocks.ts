/**
 * The activities of the test task queue that stand in for the world (docs/testing.md, "Mocks"): the worker
 * registers the production activities with these replacing the ones with side effects.
 *
 * - `runTask` answers from the case's mocks: a step mock before a task mock, the first whose `when` holds; per
 *   attempt with `attempts` (the last repeats). The mocked input and output are checked against the task's
 *   schemas like a real call. A `delay` takes its time on the case's clock; one longer than the attempt's
 *   start-to-close timeout fails the attempt with `Timeout` when the timeout would have. A task without a mock
 *   fails the case (`MockMissing`), or runs for real when the case says `unmocked: run` or the mock `real: true`.
 * - `emitEvent` publishes nothing: the run's history holds what it emitted, and the case's result lists it.
 * - `openHumanTask` resolves the form (so a missing form fails as it would) but writes no task row: the test
 *   driver submits through the run's Update; `recordHumanTask` writes nothing.
 */
import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { EmitEventRequest, EmitEventResult } from '../../common/contracts/events';
import type { HumanTaskActivities, OpenHumanTaskRequest } from '../../common/contracts/human-tasks';
import type { RunTaskRequest, TaskActivities } from '../../common/contracts/tasks';
import type { MockResponse, TaskMock, TestCase } from '../../common/contracts/testing';
import { parseDuration } from '../../common/definitions/duration';
import { bareExpression } from '../../common/definitions/expression-check';
import { FailureType } from '../../common/errors';
import { createFailure, nonRetryable } from '../../common/errors/failures';
import { describeFailure, evaluate } from '../../common/expressions/engine';
import { resolveEventDefinition } from '../../services/events/validators';
import { resolveFormSnapshot } from '../../services/human-tasks/runtime';
import { TEST_DEFAULTS } from '../../services/testing/test-runs';
import { checkSchema } from '../tasks/schema-check';
import type { CaseContexts } from './case-context';

/** What the mocks stand on. */
export interface MockDeps {
  db: Knex;
  cases: CaseContexts;
  /** The production runTask, for tasks that run for real. */
  realRunTask: TaskActivities['runTask'];
}

/** The mock that answers this call, if any. */
export async function findMock(
  mocks: TaskMock[] | undefined,
  req: RunTaskRequest,
  attempt: number,
): Promise<TaskMock | undefined> {
  const candidates = [
    ...(mocks ?? []).filter((m) => m.step === req.ctx.stepId),
    ...(mocks ?? []).filter((m) => m.step === undefined && m.task === req.task.task_id),
  ];
  for (const mock of candidates) {
    if (mock.when === undefined) return mock;
    const context = { input: req.input, attempt, step: req.ctx.stepId, path: req.ctx.stepPath };
    let holds: unknown;
    try {
      holds = await evaluate(bareExpression(mock.when), context, context);
    } catch (err) {
      throw nonRetryable(
        FailureType.ExpressionError,
        `mock of ${mock.step ? `step "${mock.step}"` : `task "${mock.task}"`}: when: ${describeFailure(err).message}`,
      );
    }
    if (holds === true) return mock;
  }
  return undefined;
}

/** The response of a mock on a 1-based attempt. */
export function responseFor(mock: TaskMock, attempt: number): MockResponse {
  if (!mock.attempts || mock.attempts.length === 0) return mock;
  return mock.attempts[Math.min(attempt, mock.attempts.length) - 1];
}

const timeScaleOf = (testCase: TestCase, settings: { time_scale?: number }) =>
  testCase.time_scale ?? settings.time_scale ?? TEST_DEFAULTS.timeScale;

/** The mocked `runTask`. */
export async function mockedRunTask(deps: MockDeps, req: RunTaskRequest): Promise<unknown> {
  const { testCase, definition } = await deps.cases.byWorkflowId(req.ctx.workflowId);
  const info = Context.current().info;
  const mock = await findMock(testCase.mocks, req, info.attempt);
  const unmocked = testCase.unmocked ?? definition.settings.unmocked ?? 'fail';
  if (mock?.real || (!mock && unmocked === 'run')) return deps.realRunTask(req);
  if (!mock)
    throw nonRetryable(
      FailureType.MockMissing,
      `step "${req.ctx.stepId}" (task ${req.task.task_id}) has no mock in case "${testCase.case_id}"`,
    );
  checkSchema(req.task, 'input', req.input);
  const response = responseFor(mock, info.attempt);
  const scale = timeScaleOf(testCase, definition.settings);
  if (response.delay !== undefined) {
    const simulated = parseDuration(response.delay);
    // Activity timeouts are not compressed (workflows/clock.ts): the mock compares its simulated delay with them.
    const limit = info.startToCloseTimeoutMs;
    const timesOut = limit > 0 && simulated >= limit;
    await Context.current().sleep(Math.ceil((timesOut ? limit : simulated) / scale));
    if (timesOut)
      throw createFailure(
        FailureType.Timeout,
        `step "${req.ctx.stepId}": the mocked delay ${response.delay} exceeds the attempt's timeout (${limit} ms)`,
        { nonRetryable: false },
      );
  }
  if (response.error) {
    const { type, message, details, retryable } = response.error;
    throw createFailure(type, message ?? `mocked ${type}`, { nonRetryable: retryable === false, details });
  }
  const output = response.output === undefined ? null : response.output;
  checkSchema(req.task, 'output', output);
  return output;
}

/**
 * The `emitEvent` of case runs: checks the payload as publishing would (an object, valid against the pattern's
 * event definition) and publishes nothing (the run's history records the request).
 */
export async function mockedEmitEvent(
  deps: { db: Knex; eventDefinitionCacheTtlMs: number },
  req: EmitEventRequest,
): Promise<EmitEventResult> {
  if (req.payload === null || typeof req.payload !== 'object' || Array.isArray(req.payload))
    throw nonRetryable(FailureType.SchemaViolation, `emit_event "${req.pattern}": payload must be an object`);
  const definition = await resolveEventDefinition(deps.db, req.pattern, undefined, deps.eventDefinitionCacheTtlMs);
  if (definition?.validate && !definition.validate(req.payload)) {
    const errors = (definition.validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
    throw nonRetryable(
      FailureType.SchemaViolation,
      `emit_event "${req.pattern}": the payload does not match its event definition (version ${definition.version}): ${errors.join('; ')}`,
    );
  }
  // The envelope publishing would store (no sequence: nothing is stored).
  const { ctx } = req;
  return {
    eventId: req.eventId,
    pattern: req.pattern,
    version: definition?.version ?? null,
    source: {
      type: 'workflow',
      id: ctx.workflowId,
      name: `${ctx.definitionId}@${ctx.definitionVersion}#${ctx.stepId}`,
      ...req.source,
    },
    timestamp: new Date().toISOString(),
    payload: req.payload as Record<string, unknown>,
    metadata: {
      ...(ctx.correlationKey !== undefined && { correlationId: ctx.correlationKey }),
      context: { type: 'global', id: ctx.instanceId },
    },
    sequenceKey: null,
    sequenceNumber: null,
    publishedBy: null,
  };
}

/** The human-task activities of case runs: the form is resolved, no row is written. */
export function mockedHumanTaskActivities(db: Knex): HumanTaskActivities {
  return {
    async openHumanTask(req: OpenHumanTaskRequest) {
      const form = await resolveFormSnapshot(db, req);
      return {
        // The execution key is unique per execution of the step: a stable id the driver reads from the run's state.
        taskId: req.executionKey,
        componentId: form.componentId,
        version: form.version,
        actions: form.actions.map((a) => a.id),
      };
    },
    async recordHumanTask() {},
  };
}
