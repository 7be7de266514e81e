/**
 * Integration-test setup, once per `jest` run: one Temporal dev server on free ports, a migrated template
 * database (each test file gets a copy: test/per-file-database.ts), one prebuilt workflow bundle, and the web
 * console's bundle (console/dist, for the browser tests; built only when missing or older than console/).
 * Their coordinates reach the test files through environment variables (jest workers inherit this env).
 */
import { startTemporalDevServer } from '../devstack/temporal-dev-server';
import { freePort } from '../devstack/free-port';
import { ensureConsoleBuilt } from '../scripts/console-build';
import { ADMIN_URL, createTemplateDatabase } from './helpers/test-database';
import { writeWorkflowBundle } from './helpers/workflow-bundle';
import { TEST_EGRESS_ALLOW, TEST_ENV, type HarnessState } from './harness-state';

export default async function globalSetup(): Promise<void> {
  // Before the parallel work: the browser tests' API serves console/dist as it finds it at start.
  ensureConsoleBuilt((msg) => process.stderr.write(`${msg}\n`));
  const [server, template, bundlePath] = await Promise.all([
    freePort().then((port) => startTemporalDevServer({ port })),
    createTemplateDatabase(),
    writeWorkflowBundle(),
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
