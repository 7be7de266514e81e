/**
 * Runs before every integration test file (jest setupFilesAfterEnv): gives the file its own copy of the
 * migrated template database, so files running in parallel never see each other's rows.
 */
import { cloneDatabase } from './helpers/test-database';
import { TEST_ENV } from './harness-state';

beforeAll(async () => {
  const template = process.env[TEST_ENV.templateDatabase];
  if (!template)
    throw new Error('AOS_TEST_TEMPLATE_DATABASE is not set: run integration tests through jest (test/global-setup.ts)');
  process.env[TEST_ENV.databaseUrl] = (await cloneDatabase(template)).url;
}, 60_000);
