/**
 * Standalone API process: config, connections, migrations, auth bootstrap, listen, graceful shutdown.
 * Without DATABASE_URL / TEMPORAL_ADDRESS it starts the local stack (embedded PGlite, Temporal dev server).
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createDb } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { startLocalStack } from '../devstack/local-stack';
import { ensureBootstrapAdmin, syncPermissions } from './auth/bootstrap';
import { allRoutes } from './routes';
import { startApiServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, name: 'aos-api' });
  const stack = await startLocalStack(config, logger);
  const db = createDb({ url: stack.databaseUrl, poolMax: config.databasePoolMax });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new Client({ connection, namespace: config.temporalNamespace });
  const deps = { config, logger, db, temporal };
  await migrateLatest(db);
  await syncPermissions(deps, allRoutes());
  const admin = await ensureBootstrapAdmin(deps);
  if (admin === 'not-configured') logger.warn('AUTH_BOOTSTRAP_ADMIN_EMAIL/PASSWORD unset: no bootstrap admin is created');
  const api = await startApiServer(deps);
  logger.info({ docs: `${api.url}/api/v1/docs` }, 'API ready');

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await api.close();
    await connection.close();
    await db.destroy();
    await stack.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(signal));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
