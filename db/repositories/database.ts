/** Whole-database statements that belong to no table. */
import type { Db } from './sql';

/** One round trip: rejects when the database cannot be reached. */
export async function ping(db: Db): Promise<void> {
  await db.raw('select 1');
}
