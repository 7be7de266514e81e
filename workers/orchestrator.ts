/**
 * The orchestrator worker: the interpreter workflow and every activity on the configured task queue,
 * plus the mirror reconciler, event sweeper and partition maintenance loops. Entry points (workers/main.ts,
 * scripts/start.ts, tests) call this.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { BUNDLE_AT_START } from './workflow-bundle';
import { builtinCodeHandlers } from '../activities/tasks/builtin-handlers';
import { CodeHandlerRegistry, loadCodeHandlersModule } from '../activities/tasks/code-handlers';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { maintenanceOptionsFromConfig, retentionFromConfig } from '../services/maintenance/partition-maintenance';
import { startEventSweeper } from './event-sweeper';
import { startPartitionMaintenanceLoop } from './partition-maintenance-loop';
import { enableLinearRegExps } from './regexp-engine';
import { startReconcileLoop } from './reconcile-loop';
import { processTracing, type ProcessTracing } from '../services/observability/tracing';
import { tracingWorkerOptions } from './tracing';

/** What the worker is built from. */
export interface OrchestratorWorkerDeps {
  config: Config;
  db: Knex;
  logger: Logger;
  connection: NativeConnection;
  /** Prebuilt bundle (production); default config.workflowBundlePath, else bundle workflows/ now. */
  workflowBundlePath?: string;
  /** Client of the reconciler, the event sweeper and event routing (signals, trigger starts) inside activities. */
  temporal: Client;
  /** Code handlers; default the built-ins plus CODE_HANDLERS_MODULE. */
  handlers?: CodeHandlerRegistry;
  /** The process's tracing (default: the one set up in this process, if any); off = spans discarded. */
  tracing?: ProcessTracing;
  /** Overrides of worker options (tests: task queue, concurrency). */
  workerOptions?: Partial<WorkerOptions>;
}

async function codeHandlers(config: Config, logger: Logger): Promise<CodeHandlerRegistry> {
  const registry = new CodeHandlerRegistry(builtinCodeHandlers);
  if (config.codeHandlersModule) {
    registry.registerAll(await loadCodeHandlersModule(config.codeHandlersModule));
    logger.info({ module: config.codeHandlersModule, handlers: registry.names() }, 'code handlers loaded');
  }
  return registry;
}

/** Creates the worker (call `run()` on it) and starts the reconciler loop alongside it. */
export async function createOrchestratorWorker(deps: OrchestratorWorkerDeps): Promise<Worker> {
  const { config, db, connection } = deps;
  enableLinearRegExps();
  const logger = deps.logger.child({
    component: 'worker',
    taskQueue: deps.workerOptions?.taskQueue ?? config.taskQueue,
  });
  const handlers = deps.handlers ?? (await codeHandlers(config, logger));
  const bundlePath = deps.workflowBundlePath ?? config.workflowBundlePath;
  const { temporal } = deps;
  const tracing = tracingWorkerOptions(deps.tracing ?? processTracing());
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : BUNDLE_AT_START),
    // With no prebuilt bundle the workflow interceptors come from BUNDLE_AT_START's workflowModules.
    interceptors: { ...tracing.interceptors, ...(!bundlePath && BUNDLE_AT_START.interceptors) },
    sinks: tracing.sinks,
    activities: createActivities({ db, logger: deps.logger, handlers, temporal, config }),
    shutdownGraceTime: '10s',
    ...deps.workerOptions,
  });
  // Stored events never handed to Temporal (API crashed after commit) are delivered by this sweeper.
  const sweeperLogger = logger.child({ component: 'event-sweeper' });
  const stopping = ['STOPPING', 'DRAINING', 'DRAINED', 'STOPPED', 'FAILED'];
  startEventSweeper({ db, temporal, config, logger: sweeperLogger }, () => !stopping.includes(worker.getState()));
  // Partitions ahead and retention: started, never awaited, so a slow first run does not hold up start-up.
  startPartitionMaintenanceLoop(
    { db, logger, retention: retentionFromConfig(config), options: maintenanceOptionsFromConfig(config) },
    config.partitionMaintenanceIntervalMs,
    () => !stopping.includes(worker.getState()),
  );
  startReconcileLoop({ db, temporal, logger }, worker, config.reconcileIntervalMs, undefined, {
    workflowTaskMaxAttempts: config.workflowTaskMaxAttempts,
  });
  return worker;
}
