/**
 * Integration-test setup, once per `jest` run: one Temporal dev server on free ports, a fresh
 * PostgreSQL database with migrations applied, and one prebuilt workflow bundle. Their coordinates
 * reach the test files through environment variables (jest workers inherit this process's env).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startTemporalDevServer } from '../devstack/temporal-dev-server';
import { freePort } from '../devstack/free-port';
import { createTestDatabase } from './helpers/test-database';
import { TEST_ENV, type HarnessState } from './harness-state';

export default async function globalSetup(): Promise<void> {
  const [server, database, bundlePath] = await Promise.all([
    freePort().then((port) => startTemporalDevServer({ port })),
    createTestDatabase(),
    bundleWorkflows(),
  ]);
  process.env[TEST_ENV.temporalAddress] = server.address;
  process.env[TEST_ENV.databaseUrl] = database.url;
  process.env[TEST_ENV.bundlePath] = bundlePath;
  const state: HarnessState = { server, database };
  (globalThis as { __AOS_HARNESS__?: HarnessState }).__AOS_HARNESS__ = state;
}

async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'aos-bundle-')), 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}
