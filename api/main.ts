/**
 * Standalone API process (production image): config, connections, migrations, auth bootstrap, listen,
 * graceful shutdown. It needs DATABASE_URL and TEMPORAL_ADDRESS; `npm start` runs the embedded stack instead.
 */
import { hostname } from 'node:os';
import { Client } from '@temporalio/client';
import { connectTemporal } from '../common/temporal-connection';
import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createDb } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { logSinkFromConfig } from '../services/observability/log-sink';
import { metricsRollupFromConfig } from '../services/observability/metrics-rollup';
import { setupTracing, temporalClientInterceptors } from '../services/observability/tracing';
import { ensureBootstrapAdmin, syncPermissions } from './auth/bootstrap';
import { allRoutes } from './routes';
import { startApiServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl || !config.temporalAddress) {
    throw new ConfigError([
      'DATABASE_URL and TEMPORAL_ADDRESS are required for a standalone API (npm start runs the embedded stack)',
    ]);
  }
  const logSink = logSinkFromConfig(config);
  const tracing = setupTracing(config, 'aos-api');
  const rollup = metricsRollupFromConfig(config, { service: 'aos-api', instance: `${hostname()}:${process.pid}` });
  const logger = createLogger({
    level: config.logLevel,
    pretty: config.logPretty,
    name: 'aos-api',
    sinks: logSink ? [logSink.destination] : [],
  });
  const db = createDb({ url: config.databaseUrl, poolMax: config.databasePoolMax });
  const connection = await connectTemporal({ address: config.temporalAddress });
  const temporal = new Client({
    connection,
    namespace: config.temporalNamespace,
    interceptors: temporalClientInterceptors(),
  });
  const deps = { config, logger, db, temporal };
  await migrateLatest(db);
  logSink?.start(db);
  tracing?.startDb(db);
  rollup?.start(db);
  await syncPermissions(deps, allRoutes());
  const admin = await ensureBootstrapAdmin(deps);
  if (admin === 'not-configured')
    logger.warn('AUTH_BOOTSTRAP_ADMIN_EMAIL/PASSWORD unset: no bootstrap admin is created');
  const api = await startApiServer(deps);
  logger.info({ docs: `${api.url}/api/v1/docs` }, 'API ready');

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await api.close();
    await connection.close();
    await rollup?.close(2000);
    await tracing?.shutdown(2000);
    await logSink?.close(2000);
    await db.destroy();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(signal));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
