/** Temporal client and worker helpers for integration tests (one Runtime per test file). */
import { Client } from '@temporalio/client';
import { connectTemporal } from '../../common/temporal-connection';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { TEST_ENV } from '../harness-state';
import { BUNDLE_AT_START } from '../../workers/workflow-bundle';
import { tracingWorkerOptions } from '../../workers/tracing';
import { processTracing, temporalClientInterceptors } from '../../services/observability/tracing';

/** The harness's Temporal address; fails loudly when a test runs outside the integration project. */
export function temporalAddress(): string {
  const address = process.env[TEST_ENV.temporalAddress];
  if (!address)
    throw new Error('TEMPORAL_ADDRESS is not set: run integration tests through jest (test/global-setup.ts)');
  return address;
}

/** A task queue name unique to this test file and run, so files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * Connects a client to the harness's dev server, with the OpenTelemetry client interceptors production clients
 * have (they carry the active trace context, if any). Close `client.connection` in afterAll.
 */
export async function createTestClient(): Promise<Client> {
  const connection = await connectTemporal({ address: temporalAddress() });
  return new Client({ connection, namespace: 'default', interceptors: temporalClientInterceptors() });
}

/** Options to run workers on the prebuilt bundle (no re-bundling per test file). */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  const codePath = process.env[TEST_ENV.bundlePath];
  return codePath ? { workflowBundle: { codePath } } : BUNDLE_AT_START;
}

/** A worker running on the harness's server; `stop()` drains it and closes its connection (call in afterAll). */
export interface RunningTestWorker {
  worker: Worker;
  stop(): Promise<void>;
}

/**
 * Creates and runs a worker; the prebuilt interpreter bundle unless `workflowsPath`/`workflowBundle` is given. Like
 * production workers it has the tracing interceptors and the workflow span sink (of this file's tracing, if set up).
 */
export async function startTestWorker(opts: Omit<WorkerOptions, 'connection'>): Promise<RunningTestWorker> {
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const source = opts.workflowsPath || opts.workflowBundle ? {} : workflowSource();
  const tracing = tracingWorkerOptions(processTracing());
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    ...source,
    ...opts,
    interceptors: { ...tracing.interceptors, ...source.interceptors, ...opts.interceptors },
    sinks: { ...tracing.sinks, ...opts.sinks },
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
