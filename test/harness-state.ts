/** What the integration harness shares between globalSetup, the test files and globalTeardown. */
import type { DevServer } from '../devstack/temporal-dev-server';

/** Environment variables the harness sets for test files. */
export const TEST_ENV = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  /** The test file's own database (set by test/per-file-database.ts before the file's hooks run). */
  databaseUrl: 'DATABASE_URL',
  bundlePath: 'AOS_WORKFLOW_BUNDLE_PATH',
  templateDatabase: 'AOS_TEST_TEMPLATE_DATABASE',
  adminDatabaseUrl: 'AOS_TEST_ADMIN_DATABASE_URL',
} as const;

export interface HarnessState {
  server: DevServer;
  templateDatabase: string;
}
