/**
 * The test run's activities (contract: TestRunActivities in common/contracts/testing.ts).
 *
 * `runTestCase` runs one case of a workflow target as a real interpreter run on the test task queue (mocked task
 * activities: ./mocks.ts), with the case's compressed clock and trail recording in its options. While the run
 * goes it delivers the case's events (a signal to this run only) and human-task submissions (the run's Update),
 * each once the run is at its step; then it reads the outcome, the trail (aosState query, answered from history
 * after the run closed), the events the run emitted (its history) and checks the expectations. A case of a task
 * target runs the task once through its real executor. The activity heartbeats; cancelled, it cancels the case's
 * run and records the case `skipped`. Retried, it attaches to the case's existing run instead of starting another.
 */
import { randomUUID } from 'node:crypto';
import { Context, CancelledFailure } from '@temporalio/activity';
import {
  ApplicationFailure,
  CancelledFailure as ClientCancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Knex } from 'knex';
import type { HumanTaskStep, InterpreterInput, InterpreterState, StepRecord } from '../../common/definitions/types';
import {
  caseWorkflowId,
  testRunWorkflowId,
  TEST_TRIGGER_KIND,
  type ExpectationResult,
  type PlannedTarget,
  type TestCase,
  type TestCaseStatus,
  type TestRunActivities,
  type TestRunOutcome,
} from '../../common/contracts/testing';
import type { Config } from '../../common/config';
import { parseDuration } from '../../common/definitions/duration';
import { walkSteps } from '../../common/definitions/walk';
import { FailureType } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { AosDefinitionId, AosDefinitionVersion, AosTrigger } from '../../common/search-attributes';
import {
  caseTrails,
  findTestRun,
  listCaseResults,
  refreshSummary,
  skipUnfinishedCases,
  updateCaseResult,
  updateTestRun,
  type CaseResultUpdate,
} from '../../db/repositories/test-runs';
import { submissionErrors } from '../../services/forms/submission';
import { resolveFormSnapshot } from '../../services/human-tasks/runtime';
import { coverageOf } from '../../services/testing/coverage';
import { checkExpectations, type CaseActual } from '../../services/testing/expectations';
import { TEST_DEFAULTS } from '../../services/testing/test-runs';
import { cancelledBy, eventDocument, startByTrigger } from '../../services/testing/triggers';
import {
  aosEventSignal,
  aosStateQuery,
  humanTaskSubmitUpdate,
  INTERPRETER_WORKFLOW_TYPE,
  type InterpreterWorkflow,
} from '../../workflows/api';
import type { CaseContext, CaseContexts } from './case-context';

/** What the test run activities need. */
export interface CaseRunnerDeps {
  db: Knex;
  temporal: Client;
  config: Pick<Config, 'testTaskQueue'>;
  logger: Logger;
  cases: CaseContexts;
  /** Runs a task target's case: the task once through its real executor. */
  runTaskCase(target: Extract<PlannedTarget, { type: 'task' }>, testCase: TestCase): Promise<TaskCaseOutcome>;
}

/** What one run of a task answered. */
export interface TaskCaseOutcome {
  output?: unknown;
  error?: { type: string; message: string; details?: unknown };
  durationMs: number;
}

/** How often the driver looks at a running case (its state query) and heartbeats. */
const POLL_MS = 100;
const HEARTBEAT_MS = 2_000;

/** Builds the activities. */
export function createTestRunActivities(deps: CaseRunnerDeps): TestRunActivities {
  return {
    beginTestRun: (req) => beginTestRun(deps, req.testRunId),
    runTestCase: (req) => runTestCase(deps, req.caseResultId),
    finishTestRun: (req) => finishTestRun(deps, req.testRunId, req.cancelled === true),
  };
}

async function beginTestRun(deps: CaseRunnerDeps, testRunId: string) {
  const run = await findTestRun(deps.db, testRunId);
  if (!run) throw ApplicationFailure.nonRetryable(`test run ${testRunId} not found`, FailureType.NotFound);
  if (run.status === 'pending')
    await updateTestRun(deps.db, testRunId, {
      status: 'running',
      started_at: new Date(),
      temporal_workflow_id: testRunWorkflowId(testRunId),
    });
  const rows = await listCaseResults(deps.db, testRunId);
  return {
    caseResultIds: rows.filter((r) => r.status === 'pending' || r.status === 'running').map((r) => r.id),
    concurrency: run.concurrency ?? TEST_DEFAULTS.concurrency,
  };
}

async function finishTestRun(deps: CaseRunnerDeps, testRunId: string, cancelled: boolean): Promise<TestRunOutcome> {
  const now = new Date();
  if (cancelled) await skipUnfinishedCases(deps.db, testRunId, now);
  else {
    // A case whose activity gave up: an error, not a case left running forever.
    for (const row of await listCaseResults(deps.db, testRunId))
      if (row.status === 'pending' || row.status === 'running')
        await updateCaseResult(deps.db, row.id, {
          status: 'error',
          error: { type: 'TestRunnerError', message: 'the case could not be run: see the test run workflow' },
          completed_at: now,
        });
  }
  const summary = await refreshSummary(deps.db, testRunId);
  const run = await findTestRun(deps.db, testRunId);
  if (!run) throw ApplicationFailure.nonRetryable(`test run ${testRunId} not found`, FailureType.NotFound);
  const trails = await caseTrails(deps.db, testRunId);
  const coverage = Object.entries(run.plan.targets).flatMap(([key, target]) => {
    if (target.type !== 'workflow') return [];
    const ids = new Set(run.plan.definitions.filter((d) => d.target === key).map((d) => d.id));
    const mine = trails
      .filter((t) => t.test_definition_id !== null && ids.has(t.test_definition_id))
      .map((t) => ({ steps: t.path ?? [], branches: t.branches ?? [] }));
    return [{ target_id: target.id, target_version: target.version, ...coverageOf(target.definition, mine) }];
  });
  const status = cancelled ? 'cancelled' : summary.failed > 0 ? 'failed' : summary.error > 0 ? 'error' : 'passed';
  await updateTestRun(deps.db, testRunId, {
    status,
    completed_at: now,
    duration_ms: run.started_at ? now.getTime() - new Date(run.started_at).getTime() : 0,
    coverage,
  });
  return { status, summary };
}

async function runTestCase(deps: CaseRunnerDeps, caseResultId: string): Promise<TestCaseStatus> {
  const ctx = await deps.cases.byResultId(caseResultId);
  if (ctx.row.status !== 'pending' && ctx.row.status !== 'running') return ctx.row.status;
  const startedAt = ctx.row.started_at ?? new Date();
  const workflowId = caseWorkflowId(caseResultId);
  await updateCaseResult(deps.db, caseResultId, { status: 'running', started_at: startedAt }, ['pending', 'running']);
  await refreshSummary(deps.db, ctx.row.test_run_id);
  const heartbeat = setInterval(() => Context.current().heartbeat(), HEARTBEAT_MS);
  try {
    const result =
      ctx.target.type === 'task'
        ? await runTaskTarget(deps, ctx, ctx.target)
        : await runWorkflowCase(deps, ctx, workflowId, startedAt);
    const written = await updateCaseResult(deps.db, caseResultId, { ...result, completed_at: new Date() }, ['running']);
    await refreshSummary(deps.db, ctx.row.test_run_id);
    return written ? result.status : 'skipped';
  } catch (err) {
    if (err instanceof CancelledFailure) {
      await updateCaseResult(deps.db, caseResultId, { status: 'skipped', completed_at: new Date() }, [
        'pending',
        'running',
      ]);
      await refreshSummary(deps.db, ctx.row.test_run_id);
    }
    throw err;
  } finally {
    clearInterval(heartbeat);
  }
}

/** A case of a task target: the task once, its output or error checked against the expectations. */
async function runTaskTarget(
  deps: CaseRunnerDeps,
  ctx: CaseContext,
  target: Extract<PlannedTarget, { type: 'task' }>,
): Promise<CaseResultUpdate & { status: TestCaseStatus }> {
  const outcome = await deps.runTaskCase(target, ctx.testCase);
  const actual: CaseActual = {
    status: outcome.error ? 'failed' : 'completed',
    ...(outcome.output !== undefined && { output: outcome.output }),
    ...(outcome.error && { error: outcome.error }),
    steps: {},
    path: [],
    events: [],
    simulatedDurationMs: outcome.durationMs,
    durationMs: outcome.durationMs,
  };
  const assertions = await checkExpectations(ctx.testCase.expect ?? {}, actual);
  return {
    status: assertions.every((a) => a.passed) ? 'passed' : 'failed',
    actual_output: outcome.output ?? null,
    ...(outcome.error && { error: outcome.error }),
    assertions,
    duration_ms: outcome.durationMs,
    simulated_duration_ms: outcome.durationMs,
  };
}

function caseTimeScale(ctx: CaseContext): number {
  return ctx.testCase.time_scale ?? ctx.definition.settings.time_scale ?? TEST_DEFAULTS.timeScale;
}

function caseTimeoutMs(ctx: CaseContext): number {
  const text = ctx.testCase.case_timeout ?? ctx.definition.settings.case_timeout;
  return text === undefined ? TEST_DEFAULTS.caseTimeoutMs : parseDuration(text);
}

/** Starts the case's run, or finds the one an earlier attempt of this activity started. */
async function startCaseRun(
  deps: CaseRunnerDeps,
  ctx: CaseContext,
  target: Extract<PlannedTarget, { type: 'workflow' }>,
  workflowId: string,
  start: Extract<CaseStart, { started: true }>,
): Promise<WorkflowHandle<InterpreterWorkflow>> {
  const startedBy = ctx.run.triggered_by ?? undefined;
  const input: InterpreterInput = {
    instanceId: randomUUID(),
    definitionRowId: target.definitionRowId,
    definition: target.definition,
    tasks: target.tasks,
    input: start.input,
    ...(start.correlationKey !== undefined && { correlationKey: start.correlationKey }),
    trigger: {
      kind: start.triggerId ? 'event' : 'api',
      ...(start.triggerId && { triggerId: start.triggerId, eventId: start.eventId }),
      ...(startedBy && { startedBy }),
    },
    options: {
      mirror: false,
      subscriptions: false,
      currentStepSearchAttribute: false,
      timeScale: caseTimeScale(ctx),
      recordTrail: true,
    },
  };
  try {
    return await deps.temporal.workflow.start<InterpreterWorkflow>(INTERPRETER_WORKFLOW_TYPE, {
      taskQueue: deps.config.testTaskQueue,
      workflowId,
      args: [input],
      // A retried activity must not start a second run of the case, running or closed.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowRunTimeout: caseTimeoutMs(ctx),
      searchAttributes: {
        [AosDefinitionId.name]: [target.id],
        [AosDefinitionVersion.name]: [target.version],
        [AosTrigger.name]: [TEST_TRIGGER_KIND],
      },
      staticSummary: `test ${ctx.definition.test_id}/${ctx.testCase.case_id}: ${target.id}@${target.version}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return deps.temporal.workflow.getHandle(workflowId);
    throw err;
  }
}

/** How a case's run starts: with its input, or as the target's START trigger starts it for `start_event`. */
type CaseStart =
  | { started: true; input: unknown; correlationKey?: string; triggerId?: string; eventId?: string }
  | { started: false; reason: string };

async function caseStart(ctx: CaseContext, target: Extract<PlannedTarget, { type: 'workflow' }>): Promise<CaseStart> {
  const { testCase } = ctx;
  if (!testCase.start_event)
    return {
      started: true,
      input: testCase.input ?? {},
      ...(testCase.correlation_key !== undefined && { correlationKey: testCase.correlation_key }),
    };
  const eventId = randomUUID();
  try {
    const found = await startByTrigger(target.triggers, eventDocument(testCase.start_event, eventId));
    if (!found.started) return { started: false, reason: `no START trigger accepts it: ${found.reasons.join('; ')}` };
    return { ...found, eventId };
  } catch (err) {
    return { started: false, reason: (err as Error).message };
  }
}

/** The `started` expectation of a case started by an event (by default, a trigger must start it). */
function startedExpectation(testCase: TestCase, start: CaseStart): ExpectationResult {
  const expected = testCase.expect?.started ?? true;
  const actual = start.started;
  const message = start.started ? `started by trigger ${start.triggerId ?? '(none)'}` : `not started: ${start.reason}`;
  return { expectation: 'started', pointer: '/started', passed: expected === actual, expected, actual, message };
}

/** Problems of delivering the case's events and submissions (each a failed expectation). */
type Delivery = ExpectationResult[];

async function runWorkflowCase(
  deps: CaseRunnerDeps,
  ctx: CaseContext,
  workflowId: string,
  startedAt: Date,
): Promise<CaseResultUpdate & { status: TestCaseStatus }> {
  const target = ctx.target as Extract<PlannedTarget, { type: 'workflow' }>;
  const start = await caseStart(ctx, target);
  const startCheck = startedExpectation(ctx.testCase, start);
  if (!start.started)
    return {
      status: startCheck.passed ? 'passed' : 'failed',
      assertions: [startCheck],
      path: [],
      branches: [],
      started_at: startedAt,
      duration_ms: 0,
      simulated_duration_ms: 0,
    };
  const handle = await startCaseRun(deps, ctx, target, workflowId, start);
  await updateCaseResult(deps.db, ctx.row.id, { status: 'running', temporal_workflow_id: workflowId }, ['running']);
  const scale = caseTimeScale(ctx);
  let closed = false;
  const result = handle.result().finally(() => (closed = true));
  result.catch(() => undefined); // observed below; never an unhandled rejection while the driver still works
  const cancelled = Context.current().cancelled;
  const driving = Promise.all([
    deliverEvents(handle, ctx, target, start.correlationKey, scale, () => closed),
    deliverSubmissions(deps, handle, ctx, target, scale, () => closed),
  ]);
  try {
    await Promise.race([Promise.allSettled([result, driving]), cancelled]);
  } catch (err) {
    // The test run was cancelled: the case's run goes with it.
    await handle.cancel().catch(() => undefined);
    throw err;
  }
  const problems: Delivery = (await driving).flat();
  const outcome = await outcomeOf(result, caseTimeoutMs(ctx));
  const description = await handle.describe();
  const closeTime = description.closeTime ?? new Date();
  const durationMs = Math.max(0, closeTime.getTime() - description.startTime.getTime());
  const state = await queryState(handle);
  const events = await emittedEvents(handle);
  const actual: CaseActual = {
    status: outcome.status,
    ...(outcome.output !== undefined && { output: outcome.output }),
    ...(outcome.error && { error: outcome.error }),
    steps: (state?.stepOutputs ?? {}) as Record<string, StepRecord>,
    path: state?.trail?.steps ?? [],
    events,
    simulatedDurationMs: Math.round(durationMs * scale),
    durationMs,
  };
  const assertions = [
    ...(ctx.testCase.start_event ? [startCheck] : []),
    ...problems,
    ...(await checkExpectations(ctx.testCase.expect ?? {}, actual)),
  ];
  const errored = outcome.caseError !== undefined || outcome.error?.type === FailureType.MockMissing;
  return {
    status: errored ? 'error' : assertions.every((a) => a.passed) ? 'passed' : 'failed',
    actual_output: outcome.output ?? null,
    ...((outcome.caseError ?? outcome.error) && { error: outcome.caseError ?? outcome.error }),
    assertions,
    path: actual.path,
    branches: state?.trail?.branches ?? [],
    emitted_events: events,
    started_at: startedAt,
    duration_ms: durationMs,
    simulated_duration_ms: actual.simulatedDurationMs,
  };
}

interface RunOutcome {
  status: CaseActual['status'];
  output?: unknown;
  error?: { type: string; message: string; details?: unknown };
  /** The case could not be judged (its run hit the case timeout, or was terminated). */
  caseError?: { type: string; message: string };
}

async function outcomeOf(result: Promise<unknown>, timeoutMs: number): Promise<RunOutcome> {
  try {
    return { status: 'completed', output: await result };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ClientCancelledFailure) return { status: 'cancelled' };
    if (cause instanceof TimeoutFailure)
      return {
        status: 'failed',
        caseError: {
          type: 'CaseTimeout',
          message: `the case's run did not end within its case_timeout (${timeoutMs} ms)`,
        },
      };
    if (cause instanceof TerminatedFailure)
      return { status: 'failed', caseError: { type: FailureType.Terminated, message: 'the case run was terminated' } };
    if (cause instanceof ApplicationFailure)
      return {
        status: 'failed',
        error: {
          type: cause.type ?? FailureType.Error,
          message: cause.message,
          ...(cause.details?.length && { details: cause.details[0] }),
        },
      };
    return { status: 'failed', error: { type: FailureType.Error, message: cause?.message ?? err.message } };
  }
}

async function queryState(handle: WorkflowHandle<InterpreterWorkflow>): Promise<InterpreterState | undefined> {
  try {
    return await handle.query(aosStateQuery);
  } catch {
    return undefined; // a run terminated before its first workflow task has no state to answer
  }
}

/** The events the run emitted: its emitEvent activities, in the order scheduled. */
async function emittedEvents(handle: WorkflowHandle): Promise<CaseActual['events']> {
  const history = await handle.fetchHistory();
  const out: CaseActual['events'] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'emitEvent') continue;
    const payload = scheduled.input?.payloads?.[0];
    if (!payload) continue;
    const req = defaultPayloadConverter.fromPayload<{ pattern: string; payload: unknown }>(payload);
    out.push({ event: req.pattern, payload: req.payload });
  }
  return out;
}

const sleep = (ms: number) => Context.current().sleep(ms);

/** Polls the run's state until `ready` holds for it, or the run closes (undefined). */
async function waitForState(
  handle: WorkflowHandle<InterpreterWorkflow>,
  isClosed: () => boolean,
  ready: (state: InterpreterState) => boolean,
): Promise<InterpreterState | undefined> {
  for (;;) {
    if (isClosed()) return undefined;
    try {
      const state = await handle.query(aosStateQuery);
      if (ready(state)) return state;
    } catch (err) {
      if (isClosed()) return undefined;
      throw err;
    }
    await sleep(POLL_MS);
  }
}

async function deliverEvents(
  handle: WorkflowHandle<InterpreterWorkflow>,
  ctx: CaseContext,
  target: Extract<PlannedTarget, { type: 'workflow' }>,
  runKey: string | undefined,
  scale: number,
  isClosed: () => boolean,
): Promise<Delivery> {
  const problems: Delivery = [];
  for (const [i, e] of (ctx.testCase.events ?? []).entries()) {
    if (e.at_step !== undefined) {
      const at = e.at_step;
      const state = await waitForState(handle, isClosed, (s) => s.currentSteps.includes(at));
      if (!state) {
        problems.push(undelivered(`events[${i}]`, `/events/${i}`, `the run ended before it reached step "${at}"`));
        continue;
      }
    }
    if (e.after !== undefined) await sleep(Math.ceil(parseDuration(e.after) / scale));
    if (isClosed()) {
      problems.push(undelivered(`events[${i}]`, `/events/${i}`, 'the run ended before the event was due'));
      continue;
    }
    // One id per case event: a retried driver re-sends it with the same id, and the run ignores the duplicate.
    const eventId = `${handle.workflowId}/event/${i}`;
    await handle.signal(aosEventSignal, {
      eventId,
      pattern: e.event,
      payload: e.payload ?? {},
      metadata: { ...e.metadata, ...(e.correlation !== undefined && { correlationKey: e.correlation }) },
    });
    // As routing would: a CANCEL trigger of the target that matches the event and the run's key cancels the run.
    const doc = eventDocument({ ...e, payload: (e.payload ?? {}) as Record<string, unknown> }, eventId);
    try {
      if (await cancelledBy(target.triggers, doc, runKey)) await handle.cancel();
    } catch (err) {
      problems.push(undelivered(`events[${i}]`, `/events/${i}`, (err as Error).message));
    }
  }
  return problems;
}

async function deliverSubmissions(
  deps: CaseRunnerDeps,
  handle: WorkflowHandle<InterpreterWorkflow>,
  ctx: CaseContext,
  target: Extract<PlannedTarget, { type: 'workflow' }>,
  scale: number,
  isClosed: () => boolean,
): Promise<Delivery> {
  const problems: Delivery = [];
  for (const [i, s] of (ctx.testCase.human_tasks ?? []).entries()) {
    const name = `human_tasks[${i}]`;
    const pointer = `/human_tasks/${i}`;
    const state = await waitForState(handle, isClosed, (st) =>
      (st.openHumanTasks ?? []).some((t) => t.stepId === s.step),
    );
    const task = state?.openHumanTasks?.find((t) => t.stepId === s.step);
    if (!task) {
      problems.push(undelivered(name, pointer, `the run ended before step "${s.step}" opened a task`));
      continue;
    }
    // `after` counts from the task's opening (workflow time), not from when the driver saw it open.
    if (s.after !== undefined) {
      const since = task.openedAt ? Date.now() - Date.parse(task.openedAt) : 0;
      const wait = Math.ceil(parseDuration(s.after) / scale) - since;
      if (wait > 0) await sleep(wait);
    }
    const data = s.data ?? {};
    const step = findHumanTaskStep(target, s.step);
    if (step) {
      const form = await resolveFormSnapshot(deps.db, {
        ...(step.form
          ? { form: { componentId: step.form.component_id, ...(step.form.version && { version: step.form.version }) } }
          : { manualTask: step.task as string }),
      } as Parameters<typeof resolveFormSnapshot>[1]);
      const errors = submissionErrors(form, s.action, data, pointer);
      if (errors.length > 0) {
        problems.push(
          undelivered(
            name,
            pointer,
            `the form refuses the submission: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
          ),
        );
        continue;
      }
    }
    try {
      await handle.executeUpdate(humanTaskSubmitUpdate, {
        args: [{ taskId: task.taskId, action: s.action, data, submittedBy: s.user, at: new Date().toISOString() }],
      });
    } catch (err) {
      problems.push(undelivered(name, pointer, `the run refused the submission: ${(err as Error).message}`));
    }
  }
  return problems;
}

function findHumanTaskStep(
  target: Extract<PlannedTarget, { type: 'workflow' }>,
  id: string,
): HumanTaskStep | undefined {
  let found: HumanTaskStep | undefined;
  walkSteps(target.definition.steps, (step) => {
    if (!found && step.id === id && step.type === 'human_task') found = step as unknown as HumanTaskStep;
  });
  return found;
}

function undelivered(expectation: string, pointer: string, message: string): ExpectationResult {
  return { expectation, pointer, passed: false, message };
}
