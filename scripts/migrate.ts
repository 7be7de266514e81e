/** `npm run migrate`: applies pending migrations to DATABASE_URL and creates partitions ahead. */
import { config } from '../common/config';
import { createDb } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { ensurePartitions } from '../db/partitions';

async function main(): Promise<void> {
  const url = config().databaseUrl;
  if (!url) {
    console.error(
      'DATABASE_URL is not set. Set it (e.g. postgres://postgres@127.0.0.1:5432/aos), or run `npm start`, which starts an embedded database and migrates it.',
    );
    process.exit(2);
  }
  const db = createDb({ url, poolMax: 2 });
  try {
    const applied = await migrateLatest(db);
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.');
    const created = await ensurePartitions(db);
    if (created > 0) console.log(`Created ${created} partition(s) ahead.`);
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
