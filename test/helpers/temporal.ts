/** Temporal client and worker helpers for integration tests (one Runtime per test file). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { TEST_ENV } from '../harness-state';

/** The harness's Temporal address; fails loudly when a test runs outside the integration project. */
export function temporalAddress(): string {
  const address = process.env[TEST_ENV.temporalAddress];
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run integration tests through jest (test/global-setup.ts)');
  return address;
}

/** A task queue name unique to this test file and run, so files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Connects a client to the harness's dev server. Close `client.connection` in afterAll. */
export async function createTestClient(): Promise<Client> {
  const connection = await Connection.connect({ address: temporalAddress() });
  return new Client({ connection, namespace: 'default' });
}

/** Options to run workers on the prebuilt bundle (no re-bundling per test file). */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const codePath = process.env[TEST_ENV.bundlePath];
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath: require.resolve('../../workflows') };
}

/** Creates a worker on the harness's server; the caller runs it (`worker.runUntil(...)` or `run()` + `shutdown()`). */
export async function createTestWorker(opts: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'>): Promise<{
  worker: Worker;
  connection: NativeConnection;
}> {
  const connection = await NativeConnection.connect({ address: temporalAddress() });
  const worker = await Worker.create({ connection, namespace: 'default', ...workflowSource(), ...opts });
  return { worker, connection };
}
