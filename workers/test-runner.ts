/**
 * The test runner worker (#14, docs/testing.md): the same workflow bundle as the orchestrator (the interpreter that
 * runs production, and testRunWorkflow) on the test task queue (config TEST_TASK_QUEUE), with the production
 * activities except those with side effects, which are mocks (activities/testing/mocks.ts), plus the test run's
 * own activities. Case runs are started with mirroring and subscriptions off, so they write no instance, task or
 * subscription rows and publish no events. Started beside the orchestrator worker when TEST_RUNNER is on.
 */
import type { Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { createTestRunActivities, type TaskCaseOutcome } from '../activities/testing/case-runner';
import { CaseContexts } from '../activities/testing/case-context';
import { mockedEmitEvent, mockedHumanTaskActivities, mockedRunTask } from '../activities/testing/mocks';
import { builtinCodeHandlers } from '../activities/tasks/builtin-handlers';
import { CodeHandlerRegistry, loadCodeHandlersModule } from '../activities/tasks/code-handlers';
import type { Config } from '../common/config';
import type { RunTaskRequest } from '../common/contracts/tasks';
import type { PlannedTarget, TestCase } from '../common/contracts/testing';
import { FailureType } from '../common/errors';
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
  const runTaskCase = (target: Extract<PlannedTarget, { type: 'task' }>, testCase: TestCase) =>
    runTaskOnce(realRunTask, target, testCase);
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
      emitEvent: mockedEmitEvent,
      ...mockedHumanTaskActivities(db),
      ...createTestRunActivities({ db, temporal, config, logger, cases, runTaskCase }),
    },
    shutdownGraceTime: '10s',
    ...deps.workerOptions,
  });
}

/** A task target's case: the task once through the real runTask (no task row), timed, its failure an outcome. */
async function runTaskOnce(
  runTask: (req: RunTaskRequest) => Promise<unknown>,
  target: Extract<PlannedTarget, { type: 'task' }>,
  testCase: TestCase,
): Promise<TaskCaseOutcome> {
  const info = Context.current().info;
  const started = Date.now();
  try {
    const output = await runTask({
      task: target.task,
      input: testCase.input ?? {},
      ctx: {
        instanceId: '00000000-0000-0000-0000-000000000000',
        workflowId: info.workflowExecution?.workflowId ?? 'test-run',
        runId: info.workflowExecution?.runId ?? 'test-run',
        definitionId: target.id,
        definitionVersion: target.version,
        stepId: testCase.case_id,
        stepPath: 'test',
        mirror: false,
      },
    });
    return { output, durationMs: Date.now() - started };
  } catch (err) {
    const failure = err instanceof ApplicationFailure ? err : undefined;
    return {
      error: {
        type: failure?.type ?? FailureType.Error,
        message: (err as Error).message,
        ...(failure?.details?.length && { details: failure.details[0] }),
      },
      durationMs: Date.now() - started,
    };
  }
}
