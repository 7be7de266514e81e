/** What the integration harness shares between globalSetup, the test files and globalTeardown. */
import type { DevServer } from '../devstack/temporal-dev-server';
import type { TestDatabase } from './helpers/test-database';

/** Environment variables the harness sets for test files. */
export const TEST_ENV = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  databaseUrl: 'DATABASE_URL',
  bundlePath: 'AOS_WORKFLOW_BUNDLE_PATH',
} as const;

export interface HarnessState {
  server: DevServer;
  database: TestDatabase;
}
