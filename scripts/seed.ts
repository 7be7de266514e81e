/** `npm run seed`: loads the example definitions into DATABASE_URL (migrating first). Idempotent. */
import { config } from '../common/config';
import { createDb } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { seed } from '../db/seeds';

async function main(): Promise<void> {
  const url = config().databaseUrl;
  if (!url) {
    console.error('DATABASE_URL is not set. Set it (e.g. postgres://postgres@127.0.0.1:5432/aos), or run `npm start`, which starts an embedded database.');
    process.exit(2);
  }
  const db = createDb({ url, poolMax: 2 });
  try {
    await migrateLatest(db);
    const result = await seed(db);
    console.log(`Seeded tasks ${result.tasks.join(', ')}; events ${result.events.join(', ')}; workflows ${result.workflows.join(', ')}; triggers ${result.triggers.join(', ')}.`);
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
