/**
 * What the event benchmarks (bench:events, bench:scale) run on: a Temporal server (the dev server on a free port
 * unless TEMPORAL_ADDRESS names one), a scratch database created on the local PostgreSQL and dropped at the end,
 * the platform's configuration for them, and the production workflow bundle written to a temp file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import { createDb } from '../db/connection';
import { freePort } from '../devstack/free-port';
import { startTemporalDevServer, type DevServer } from '../devstack/temporal-dev-server';
import { testConfig } from '../test/helpers/api';
import { createTestDatabase } from '../test/helpers/test-database';
import { WORKFLOW_BUNDLE_OPTIONS } from '../workers/workflow-bundle';

/** The servers and database of one benchmark run. */
export interface BenchServers {
  /** The dev server this run started (none when TEMPORAL_ADDRESS was given). */
  server?: DevServer;
  address: string;
  config: Config;
  db: Knex;
  /** Closes the pool, drops the scratch database, stops the dev server. */
  close(): Promise<void>;
}

/** Starts the servers; `name` prefixes the run's task queue (`<name>-<random>`). */
export async function startBenchServers(name: string): Promise<BenchServers> {
  let server: DevServer | undefined;
  const address =
    process.env.TEMPORAL_ADDRESS ?? (server = await startTemporalDevServer({ port: await freePort() })).address;
  const database = await createTestDatabase();
  const config = testConfig({
    TEMPORAL_ADDRESS: address,
    DATABASE_URL: database.url,
    TASK_QUEUE: `${name}-${randomUUID().slice(0, 8)}`,
    RECONCILE_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
  });
  const db = createDb({ url: database.url, poolMax: 40 });
  return {
    server,
    address,
    config,
    db,
    async close() {
      await db.destroy();
      await database.drop();
      await server?.stop();
    },
  };
}

/** Bundles the production workflow code (OpenTelemetry interceptors included) into a temp file; returns its path. */
export async function writeWorkflowBundle(): Promise<string> {
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: new DefaultLogger('WARN') });
  const path = join(mkdtempSync(join(tmpdir(), 'aos-bench-')), 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}
