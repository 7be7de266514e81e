/**
 * Integration-test setup, once per `jest` run: one Temporal dev server on free ports, a migrated template
 * database (each test file gets a copy: test/per-file-database.ts), one prebuilt workflow bundle, and the web
 * console's bundle (console/dist, for the browser tests; built only when missing or older than console/).
 * Their coordinates reach the test files through environment variables (jest workers inherit this env).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../workers/workflow-bundle';
import { startTemporalDevServer } from '../devstack/temporal-dev-server';
import { freePort } from '../devstack/free-port';
import { ensureConsoleBuilt } from '../scripts/console-build';
import { ADMIN_URL, createTemplateDatabase } from './helpers/test-database';
import { TEST_EGRESS_ALLOW, TEST_ENV, type HarnessState } from './harness-state';

export default async function globalSetup(): Promise<void> {
  // Before the parallel work: the browser tests' API serves console/dist as it finds it at start.
  ensureConsoleBuilt((msg) => process.stderr.write(`${msg}\n`));
  const [server, template, bundlePath] = await Promise.all([
    freePort().then((port) => startTemporalDevServer({ port })),
    createTemplateDatabase(),
    bundleWorkflows(),
  ]);
  process.env[TEST_ENV.temporalAddress] = server.address;
  process.env[TEST_ENV.adminDatabaseUrl] = ADMIN_URL;
  process.env[TEST_ENV.templateDatabase] = template.name;
  // Never the template itself: a connection to it would block the per-file copies.
  delete process.env[TEST_ENV.databaseUrl];
  process.env[TEST_ENV.bundlePath] = bundlePath;
  process.env[TEST_ENV.egressAllow] = TEST_EGRESS_ALLOW;
  const state: HarnessState = { server, templateDatabase: template.name };
  (globalThis as { __AOS_HARNESS__?: HarnessState }).__AOS_HARNESS__ = state;
}

async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  const path = join(mkdtempSync(join(tmpdir(), 'aos-bundle-')), 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}
