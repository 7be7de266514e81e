/**
 * Shared setup of the event integration tests: the real API app (auth, all routes) with a caller holding
 * every permission, and optionally the real orchestrator worker (interpreter, delivery workflow, sweeper).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from 'express';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import request from 'supertest';
import { createApiApp } from '../../api/api-app';
import { syncPermissions } from '../../api/auth/bootstrap';
import type { ApiDeps } from '../../api/deps';
import { allRoutes } from '../../api/routes';
import type { Config } from '../../common/config';
import { createLogger, type Logger } from '../../common/logger';
import { createOrchestratorWorker } from '../../workers/orchestrator';
import { testConfig } from '../helpers/api';
import { createTestCaller } from '../helpers/auth';
import { createTestDb } from '../helpers/db';
import { createTestClient, temporalAddress, uniqueTaskQueue } from '../helpers/temporal';
import { TEST_ENV } from '../harness-state';

/** Everything a test file needs. */
export interface EventsHarness {
  db: Knex;
  temporal: Client;
  config: Config;
  deps: ApiDeps & { handoff?: boolean };
  app: Application;
  /** Supertest agent sending the all-permissions caller's token. */
  http: ReturnType<typeof request.agent>;
  worker?: Worker;
  close(): Promise<void>;
}

/** A short random token: keeps patterns and ids of concurrent test files apart in the shared database. */
export const uniq = (): string => randomBytes(4).toString('hex');

/** Settings of the event tests: fast retries and sweeps, a task queue of their own. */
export function eventsTestConfig(env: Record<string, string> = {}): Config {
  return testConfig({
    TEMPORAL_ADDRESS: temporalAddress(),
    DATABASE_URL: process.env[TEST_ENV.databaseUrl] ?? '',
    TASK_QUEUE: uniqueTaskQueue('events'),
    RECONCILE_INTERVAL_MS: '0',
    AOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'aos-events-')),
    EVENT_DELIVERY_INITIAL_INTERVAL_MS: '50',
    EVENT_DELIVERY_MAX_INTERVAL_MS: '200',
    EVENT_DELIVERY_MAX_ATTEMPTS: '3',
    EVENT_SWEEP_INTERVAL_MS: '300',
    EVENT_SWEEP_GRACE_MS: '500',
    ...env,
  });
}

/**
 * Builds the harness; `handoff: false` stores events without starting delivery (the "API died after commit" seam);
 * `logger` is the API's and the worker's (default: silent).
 */
export async function createEventsHarness(
  opts: { env?: Record<string, string>; handoff?: boolean; worker?: boolean; logger?: Logger } = {},
): Promise<EventsHarness> {
  const config = eventsTestConfig(opts.env);
  const db = createTestDb();
  const temporal = await createTestClient();
  const logger = opts.logger ?? createLogger({ level: 'silent' });
  const deps = { config, logger, db, temporal, ...(opts.handoff === false && { handoff: false }) };
  await syncPermissions(deps, allRoutes());
  const app = createApiApp(deps);
  const caller = await createTestCaller(deps, ['*'], 'events');
  let worker: Worker | undefined;
  let connection: NativeConnection | undefined;
  let running: Promise<void> | undefined;
  if (opts.worker) {
    connection = await NativeConnection.connect({ address: temporalAddress() });
    worker = await createOrchestratorWorker({
      config,
      db,
      logger,
      connection,
      temporal,
      workflowBundlePath: process.env[TEST_ENV.bundlePath],
    });
    running = worker.run();
  }
  return {
    db,
    temporal,
    config,
    deps,
    app,
    worker,
    http: request.agent(app).set(caller.bearer),
    async close() {
      worker?.shutdown();
      await running;
      await connection?.close();
      await temporal.connection.close();
      await db.destroy();
    },
  };
}
