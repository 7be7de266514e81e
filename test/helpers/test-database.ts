/** Creates (and drops) a uniquely named database per test run on the real PostgreSQL server. */
import { randomBytes } from 'node:crypto';
import { createDb } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';

/** The admin server: DATABASE_URL if set (CI and developers may point elsewhere), else the local default. */
export const ADMIN_URL = process.env.AOS_TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates `aos_test_<random>` with all migrations applied. Only databases made here are ever dropped. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `aos_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = createDb({ url: ADMIN_URL, poolMax: 1 });
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = withDatabase(ADMIN_URL, name);
  if (opts.migrate !== false) {
    const db = createDb({ url, poolMax: 2 });
    try {
      await migrateLatest(db);
    } finally {
      await db.destroy();
    }
  }
  return {
    name,
    url,
    async drop() {
      const dropper = createDb({ url: ADMIN_URL, poolMax: 1 });
      try {
        await dropper.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.destroy();
      }
    },
  };
}
