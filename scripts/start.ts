/**
 * `npm start`: the whole platform in one process tree on embedded defaults. Starts what is not
 * configured (Temporal dev server, embedded PGlite), migrates, then runs the worker and the API.
 * Ctrl-C stops everything in reverse order and leaves no child process behind.
 */
import { Client } from '@temporalio/client';
import { connectTemporal } from '../common/temporal-connection';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { devSecret } from '../common/dev-secrets';
import { createLogger } from '../common/logger';
import { installTemporalRuntime, resolveTemporalMetricsAddress } from '../common/temporal-logging';
import { setTemporalMetricsAddress } from '../services/observability/metrics';
import { createDb } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { ensurePartitions } from '../db/partitions';
import { logSinkFromConfig } from '../services/observability/log-sink';
import { metricsRollupFromConfig } from '../services/observability/metrics-rollup';
import { setupTracing, temporalClientInterceptors } from '../services/observability/tracing';
import { startLocalStack } from '../devstack/local-stack';
import { ensureBootstrapAdmin, syncPermissions } from '../api/auth/bootstrap';
import { allRoutes } from '../api/routes';
import { startApiServer } from '../api/server';
import { createOrchestratorWorker } from '../workers/orchestrator';
import { createTestRunnerWorker } from '../workers/test-runner';
import { ensureConsoleBuilt } from './console-build';

/**
 * The quick start needs someone to log in as: outside production, an unconfigured bootstrap admin gets
 * the email admin@localhost and a password generated once into <data dir>/secrets/admin-password.
 */
function withDevAdmin(config: Config): Config {
  if (config.nodeEnv === 'production' || (config.authBootstrapAdminEmail && config.authBootstrapAdminPassword))
    return config;
  return {
    ...config,
    authBootstrapAdminEmail: config.authBootstrapAdminEmail ?? 'admin@localhost',
    authBootstrapAdminPassword: config.authBootstrapAdminPassword ?? devSecret(config.dataDir, 'admin-password'),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logSink = logSinkFromConfig(config);
  const tracing = setupTracing(config, 'aos');
  const rollup = metricsRollupFromConfig(config, { service: 'aos', instance: `${hostname()}:${process.pid}` });
  const logger = createLogger({
    level: config.logLevel,
    pretty: config.logPretty,
    name: 'aos',
    sinks: logSink ? [logSink.destination] : [],
  });
  const temporalMetricsAddress = await resolveTemporalMetricsAddress(config.temporalMetricsAddress);
  installTemporalRuntime(logger, { metricsAddress: temporalMetricsAddress });
  // One process: the API's /metrics carries the worker's series and the SDK's.
  setTemporalMetricsAddress(temporalMetricsAddress);
  // The web console's bundle (console/dist): built on a fresh clone or after console/ changed, before the API
  // reads it. A failed build is logged and the API starts without the console.
  try {
    ensureConsoleBuilt((msg) => logger.info(msg));
  } catch (err) {
    logger.error({ err }, 'the web console could not be built; /console will say so');
  }
  const stack = await startLocalStack(config, logger);
  const cleanups: Array<() => Promise<unknown>> = [stack.stop];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const fn of cleanups.reverse())
      await fn().catch((err: unknown) => logger.warn({ err }, 'shutdown step failed'));
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      logger.info({ signal }, 'shutting down');
      void shutdown(0);
    });
  }
  try {
    // PGlite serves one query at a time: keep the pools small when it is the database.
    const poolMax = config.databaseUrl ? config.databasePoolMax : 4;
    const db = createDb({ url: stack.databaseUrl, poolMax });
    cleanups.push(() => db.destroy());
    const applied = await migrateLatest(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    await ensurePartitions(db);
    if (logSink) {
      logSink.start(db);
      // Runs (cleanups are reversed) after the worker and the API stopped, before the pool is destroyed.
      cleanups.push(() => logSink.close(2000));
    }
    if (tracing) {
      tracing.startDb(db);
      // Runs after the worker and the API stopped (their last spans are flushed), before the pool is destroyed.
      cleanups.push(() => tracing.shutdown(2000));
    }
    if (rollup) {
      rollup.start(db);
      // Runs before the log sink closes (cleanups are reversed): the last snapshot is taken while the pool lives.
      cleanups.push(() => rollup.close(2000));
    }

    const clientConnection = await connectTemporal({ address: stack.temporalAddress });
    cleanups.push(() => clientConnection.close());
    const temporal = new Client({
      connection: clientConnection,
      namespace: config.temporalNamespace,
      interceptors: temporalClientInterceptors(),
    });
    const deps = { config, logger, db, temporal };
    await syncPermissions(deps, allRoutes());
    await ensureBootstrapAdmin({ ...deps, config: withDevAdmin(config) });

    const workerConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    cleanups.push(() => workerConnection.close());
    const workerDeps = { config, db, logger, connection: workerConnection, temporal, tracing };
    // The orchestrator worker, and the test runner worker on the test task queue (docs/testing.md) unless off.
    const workers = [await createOrchestratorWorker(workerDeps)];
    if (config.testRunner) workers.push(await createTestRunnerWorker(workerDeps));
    for (const worker of workers) {
      const running = worker.run();
      cleanups.push(async () => {
        worker.shutdown();
        await running;
      });
      running.catch((err: unknown) => {
        logger.error({ err, taskQueue: worker.options.taskQueue }, 'worker stopped unexpectedly');
        void shutdown(1);
      });
    }

    // Embedded PGlite serves this one process: no other API process to hear revocations from.
    const api = await startApiServer(deps, { listenForRevocations: Boolean(config.databaseUrl) });
    cleanups.push(() => api.close());
    const uiUrl = stack.temporalUiUrl ?? config.temporalUiUrl;
    logger.info(
      { console: `${api.url}/console`, api: `${api.url}/api/v1`, docs: `${api.url}/api/v1/docs`, temporalUi: uiUrl },
      'platform ready',
    );
    const login = config.authBootstrapAdminPassword
      ? ''
      : `  Login    user "${config.authBootstrapAdminUsername}", password in ${join(config.dataDir, 'secrets', 'admin-password')}\n`;
    process.stdout.write(
      `\n  Console  ${api.url}/console\n  API      ${api.url}/api/v1   (reference: ${api.url}/api/v1/docs)\n  Web UI   ${uiUrl}\n${login}\n`,
    );
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await shutdown(1);
  }
}

main().catch((err: unknown) => {
  // A ConfigError's message already names every bad variable; anything else gets its stack.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
