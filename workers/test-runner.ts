/**
 * The test runner worker (#14, docs/testing.md): the same workflow bundle as the orchestrator (the interpreter that
 * runs production, and testRunWorkflow) on the test task queue (config TEST_TASK_QUEUE), with the production
 * activities except those with side effects, which are mocks (activities/testing/mocks.ts), plus the test run's
 * own activities. Case runs are started with mirroring and subscriptions off, so they write no instance, task or
 * subscription rows and publish no events. Started beside the orchestrator worker when TEST_RUNNER is on.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { createTestRunActivities, type TaskCaseOutcome } from '../activities/testing/case-runner';
import { CaseContexts } from '../activities/testing/case-context';
import { createTaskTestActivities } from '../activities/testing/task-test';
import { mockedEmitEvent, mockedHumanTaskActivities, mockedRunTask } from '../activities/testing/mocks';
import { builtinCodeHandlers } from '../activities/tasks/builtin-handlers';
import { CodeHandlerRegistry, loadCodeHandlersModule } from '../activities/tasks/code-handlers';
import type { Config } from '../common/config';
import type { EmitEventRequest } from '../common/contracts/events';
import type { RunTaskRequest } from '../common/contracts/tasks';
import { taskTestTimeoutMs } from '../services/testing/task-test';
import type { PlannedTarget, TaskTestActivities, TestCase } from '../common/contracts/testing';
import type { Logger } from '../common/logger';
import { processTracing, type ProcessTracing } from '../services/observability/tracing';
import { tracingWorkerOptions } from './tracing';
import { BUNDLE_AT_START } from './workflow-bundle';

/** What the test runner worker is built from. */
export interface TestRunnerWorkerDeps {
  config: Config;
  db: Knex;
  logger: Logger;
  connection: NativeConnection;
  temporal: Client;
  workflowBundlePath?: string;
  handlers?: CodeHandlerRegistry;
  tracing?: ProcessTracing;
  workerOptions?: Partial<WorkerOptions>;
}

/** Creates the test runner worker (call `run()` on it). */
export async function createTestRunnerWorker(deps: TestRunnerWorkerDeps): Promise<Worker> {
  const { config, db, temporal } = deps;
  const logger = deps.logger.child({ component: 'test-runner', taskQueue: config.testTaskQueue });
  let handlers = deps.handlers;
  if (!handlers) {
    handlers = new CodeHandlerRegistry(builtinCodeHandlers);
    if (config.codeHandlersModule) handlers.registerAll(await loadCodeHandlersModule(config.codeHandlersModule));
  }
  // Tasks that run for real in a case write no task rows: mirroring is the run's (off), and runTask follows ctx.
  const production = createActivities({ db, logger: deps.logger, handlers, temporal, config });
  const cases = new CaseContexts(db);
  const realRunTask = production.runTask;
  const { testTask } = createTaskTestActivities({ runTask: realRunTask });
  const runTaskCase = (target: Extract<PlannedTarget, { type: 'task' }>, testCase: TestCase) =>
    runTaskOnce(testTask, target, testCase);
  const bundlePath = deps.workflowBundlePath ?? config.workflowBundlePath;
  const tracing = tracingWorkerOptions(deps.tracing ?? processTracing());
  return Worker.create({
    connection: deps.connection,
    namespace: config.temporalNamespace,
    taskQueue: config.testTaskQueue,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : BUNDLE_AT_START),
    interceptors: { ...tracing.interceptors, ...(!bundlePath && BUNDLE_AT_START.interceptors) },
    sinks: tracing.sinks,
    activities: {
      ...production,
      runTask: (req: RunTaskRequest) => mockedRunTask({ db, cases, realRunTask }, req),
      emitEvent: (req: EmitEventRequest) =>
        mockedEmitEvent({ db, eventDefinitionCacheTtlMs: config.eventDefinitionCacheTtlMs }, req),
      ...mockedHumanTaskActivities(db),
      ...createTestRunActivities({ db, temporal, config, logger, cases, runTaskCase }),
    },
    shutdownGraceTime: '10s',
    ...deps.workerOptions,
  });
}

/** A task target's case: the task once through the single-task test (real executor, no task row, schema checks). */
async function runTaskOnce(
  testTask: TaskTestActivities['testTask'],
  target: Extract<PlannedTarget, { type: 'task' }>,
  testCase: TestCase,
): Promise<TaskCaseOutcome> {
  const result = await testTask({
    task: target.task,
    input: testCase.input ?? {},
    timeout_ms: taskTestTimeoutMs(target.task),
  });
  return {
    ...(result.output !== undefined && { output: result.output }),
    ...(result.error && {
      error: { type: result.error.type, message: result.error.message, details: result.error.details },
    }),
    durationMs: result.duration_ms,
  };
}
