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
  /** The egress allow-list of test workers: their fake outside services listen on 127.0.0.1. */
  egressAllow: 'EGRESS_ALLOW',
} as const;

/** What test workers may call besides public addresses: the local fake services, nothing else. */
export const TEST_EGRESS_ALLOW = '127.0.0.1';

export interface HarnessState {
  server: DevServer;
  templateDatabase: string;
}
