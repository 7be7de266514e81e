/** Database helper for integration tests: a knex on the run's migrated database. */
import type { Knex } from 'knex';
import { createDb } from '../../db/connection';
import { TEST_ENV } from '../harness-state';

/** Knex on the harness's database; `destroy()` it in afterAll. */
export function createTestDb(): Knex {
  const url = process.env[TEST_ENV.databaseUrl];
  if (!url) throw new Error('DATABASE_URL is not set: run integration tests through jest (test/global-setup.ts)');
  return createDb({ url, poolMax: 5 });
}
