/**
 * `npm run maintenance`: one partition maintenance run against DATABASE_URL (partitions created ahead, expired ones
 * dropped per the retention settings), printing what it did as JSON. Exit code 1 when a table failed, 3 when another
 * process was running maintenance (nothing was done).
 */
import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createDb } from '../db/connection';
import { retentionFromConfig, runPartitionMaintenance } from '../services/maintenance/partition-maintenance';

async function main(): Promise<number> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required']);
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, name: 'aos-maintenance' });
  const db = createDb({ url: config.databaseUrl, poolMax: 2 });
  try {
    const report = await runPartitionMaintenance({ db, logger }, retentionFromConfig(config));
    if (!report) {
      console.error('Another process is running partition maintenance; nothing done.');
      return 3;
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
