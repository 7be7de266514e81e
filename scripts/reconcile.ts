/**
 * `npm run reconcile [-- --dry-run]`: one reconciliation pass of the lifecycle mirror against Temporal,
 * printing the drift report as JSON. Needs DATABASE_URL and TEMPORAL_ADDRESS.
 */
import { Client } from '@temporalio/client';
import { connectTemporal } from '../common/temporal-connection';
import { reconcile } from '../services/mirror/reconcile/reconcile';
import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createDb } from '../db/connection';
import { temporalClientInterceptors } from '../services/observability/tracing';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl || !config.temporalAddress)
    throw new ConfigError(['DATABASE_URL and TEMPORAL_ADDRESS are required']);
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, name: 'aos-reconcile' });
  const db = createDb({ url: config.databaseUrl, poolMax: 2 });
  const connection = await connectTemporal({ address: config.temporalAddress });
  try {
    const temporal = new Client({
      connection,
      namespace: config.temporalNamespace,
      interceptors: temporalClientInterceptors(),
    });
    const report = await reconcile(
      { db, temporal, logger },
      { dryRun: process.argv.includes('--dry-run'), settleMs: 0 },
    );
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await connection.close();
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
