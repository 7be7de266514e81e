/**
 * Standalone worker process (production image, and the crash test): config, connections, worker, graceful
 * shutdown on SIGINT/SIGTERM (in-flight activities get the grace time, then the process exits).
 */
import { hostname } from 'node:os';
import { Client } from '@temporalio/client';
import { connectTemporal } from '../common/temporal-connection';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { installTemporalRuntime, resolveTemporalMetricsAddress } from '../common/temporal-logging';
import { createDb } from '../db/connection';
import { logSinkFromConfig } from '../services/observability/log-sink';
import { metricsRollupFromConfig } from '../services/observability/metrics-rollup';
import { setGaugeSource, setTemporalMetricsAddress } from '../services/observability/metrics';
import { setupTracing, temporalClientInterceptors } from '../services/observability/tracing';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { createOrchestratorWorker } from './orchestrator';
import { createTestRunnerWorker } from './test-runner';

async function main(): Promise<void> {
  const config = loadConfig();
  const logSink = logSinkFromConfig(config);
  const tracing = setupTracing(config, 'aos-worker');
  const rollup = metricsRollupFromConfig(config, { service: 'aos-worker', instance: `${hostname()}:${process.pid}` });
  const logger = createLogger({
    level: config.logLevel,
    pretty: config.logPretty,
    name: 'aos-worker',
    sinks: logSink ? [logSink.destination] : [],
  });
  if (!config.databaseUrl || !config.temporalAddress) {
    throw new ConfigError([
      'DATABASE_URL and TEMPORAL_ADDRESS are required for a standalone worker (npm start runs the embedded stack)',
    ]);
  }
  const temporalMetricsAddress = await resolveTemporalMetricsAddress(config.temporalMetricsAddress);
  installTemporalRuntime(logger, { metricsAddress: temporalMetricsAddress });
  setTemporalMetricsAddress(temporalMetricsAddress);
  const db = createDb({ url: config.databaseUrl, poolMax: config.databasePoolMax });
  logSink?.start(db);
  tracing?.startDb(db);
  rollup?.start(db);
  setGaugeSource(db, { ttlMs: config.metricsGaugeCacheMs, timeoutMs: config.metricsGaugeTimeoutMs });
  let metrics: MetricsServer | undefined;
  if (config.workerMetricsPort > 0) {
    metrics = await startMetricsServer({ host: config.workerMetricsHost, port: config.workerMetricsPort, logger });
    logger.info({ url: `${metrics.url}/metrics` }, 'worker metrics served');
  }
  const clientConnection = await connectTemporal({ address: config.temporalAddress });
  const temporal = new Client({
    connection: clientConnection,
    namespace: config.temporalNamespace,
    interceptors: temporalClientInterceptors(),
  });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createOrchestratorWorker({ config, db, logger, connection, temporal, tracing });
  // Test runs (#14) get their own worker on the test task queue, unless TEST_RUNNER is off.
  const testWorker = config.testRunner
    ? await createTestRunnerWorker({ config, db, logger, connection, temporal, tracing })
    : undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down worker');
      // The Temporal runtime may already have begun shutdown on the same signal; once is enough.
      for (const w of [worker, testWorker]) if (w?.getState() === 'RUNNING') w.shutdown();
    });
  }
  logger.info({ taskQueue: config.taskQueue, namespace: config.temporalNamespace }, 'worker running');
  try {
    await Promise.all([worker.run(), testWorker?.run()]);
  } finally {
    await metrics?.close();
    await connection.close();
    await clientConnection.close();
    await rollup?.close(2000);
    await tracing?.shutdown(2000);
    await logSink?.close(2000);
    await db.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
