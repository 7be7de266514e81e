/**
 * `npm run maintenance [-- --dry-run]`: one data lifecycle maintenance run against DATABASE_URL (partitions created
 * ahead, expired partitions dropped and expired rows deleted per the retention settings, archived first when
 * MAINTENANCE_ARCHIVE_DIR is set), printing what it did as JSON (with `--dry-run`, what it would do, changing
 * nothing). Exit code 1 when a table failed, 3 when another process was running maintenance (nothing was done).
 */
import { ConfigError, loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { createDb } from '../db/connection';
import { PARTITIONED_TABLES } from '../db/partitions';
import {
  maintenanceOptionsFromConfig,
  retentionFromConfig,
  runPartitionMaintenance,
} from '../services/maintenance/partition-maintenance';

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--dry-run');
  if (unknown.length > 0) throw new ConfigError([`unknown argument ${unknown[0]} (only --dry-run)`]);
  const dryRun = argv.includes('--dry-run');
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required']);
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty, name: 'aos-maintenance' });
  const db = createDb({ url: config.databaseUrl, poolMax: 2 });
  try {
    const options = { ...maintenanceOptionsFromConfig(config), dryRun };
    const report = await runPartitionMaintenance(
      { db, logger },
      retentionFromConfig(config),
      PARTITIONED_TABLES,
      options,
    );
    if (!report) {
      console.error('Another process is running maintenance; nothing done.');
      return 3;
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
