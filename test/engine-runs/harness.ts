/** Shared set-up of the run tests: a real orchestrator worker on its own task queue, services over real deps. */
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../common/config';
import type { WorkflowDefinition } from '../../common/definitions/types';
import { createLogger } from '../../common/logger';
import {
  createTaskDefinition,
  createWorkflowDefinition,
  activateWorkflowDefinition,
  setTaskDefinitionStatus,
} from '../../services/definitions';
import type { RunDeps } from '../../services/runs';
import { createOrchestratorWorker } from '../../workers/orchestrator';
import { createTestRunnerWorker } from '../../workers/test-runner';
import { createTestDb } from '../helpers/db';
import { createTestClient, temporalAddress, uniqueTaskQueue } from '../helpers/temporal';
import { TEST_ENV } from '../harness-state';

/** What a run test gets. */
export interface RunHarness {
  db: Knex;
  client: Client;
  config: Config;
  deps: RunDeps;
  close(): Promise<void>;
}

/** Config of the test worker: the harness's servers, a unique task queue, no background reconciler. */
export function testConfig(extra: Record<string, string> = {}): Config {
  return loadConfig({
    TEMPORAL_ADDRESS: temporalAddress(),
    DATABASE_URL: process.env[TEST_ENV.databaseUrl],
    TASK_QUEUE: uniqueTaskQueue('runs'),
    RECONCILE_INTERVAL_MS: '0',
    AOS_DATA_DIR: mkdtempSync(join(tmpdir(), 'aos-data-')),
    LOG_LEVEL: 'silent',
    EGRESS_ALLOW: process.env[TEST_ENV.egressAllow] ?? '',
    ...extra,
  });
}

/**
 * Starts the worker and returns the deps of the run services. The worker is wired as in production: Temporal's
 * tracing interceptors and span sink, exporting to the tracing this test file set up (setupTracing), if any.
 */
export async function startRunHarness(
  opts: { worker?: boolean; env?: Record<string, string>; testRunner?: boolean } = {},
): Promise<RunHarness> {
  const db = createTestDb();
  const client = await createTestClient();
  const config = testConfig(opts.env);
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  let connection: NativeConnection | undefined;
  if (opts.worker !== false) {
    connection = await NativeConnection.connect({ address: temporalAddress() });
    const workerDeps = {
      config,
      db,
      logger: createLogger({ level: 'silent' }),
      connection,
      temporal: client,
      workflowBundlePath: process.env[TEST_ENV.bundlePath],
    };
    const created = [await createOrchestratorWorker(workerDeps)];
    if (opts.testRunner) created.push(await createTestRunnerWorker(workerDeps));
    for (const worker of created) workers.push({ worker, running: worker.run() });
  }
  return {
    db,
    client,
    config,
    deps: { db, temporal: client, config },
    async close() {
      for (const { worker } of workers) worker.shutdown();
      for (const { running } of workers) await running;
      await connection?.close();
      await client.connection.close();
      await db.destroy();
    },
  };
}

/** Creates and activates a task definition. */
export async function activeTask(db: Knex, doc: Record<string, unknown>): Promise<void> {
  await createTaskDefinition(db, { version: '1.0.0', config: {}, ...doc });
  await setTaskDefinitionStatus(db, doc.task_id as string, (doc.version as string | undefined) ?? '1.0.0', 'active');
}

/** Creates and activates a workflow definition. */
export async function activeWorkflow(
  db: Knex,
  doc: Partial<WorkflowDefinition> & Pick<WorkflowDefinition, 'workflow_id' | 'steps'>,
): Promise<void> {
  const full = { name: doc.workflow_id, version: '1.0.0', ...doc };
  await createWorkflowDefinition(db, full);
  await activateWorkflowDefinition(db, full.workflow_id, full.version);
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
