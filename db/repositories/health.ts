/** The database's readiness probe. */
import type { Db } from './sql';

/** Resolves when PostgreSQL answers a trivial query. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.raw('select 1');
}
