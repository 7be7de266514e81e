/** Runs the forward-only knex migrations of `db/migrations/`. */
import type { Knex } from 'knex';
import { migrations } from './migrations';

/** Knex migration source over the statically imported migration list (works from ts, dist and jest alike). */
export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

/** Applies every pending migration; a no-op when the database is current. Returns the names applied. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}
