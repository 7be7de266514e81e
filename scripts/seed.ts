/**
 * `npm run seed`: loads the example definitions into DATABASE_URL (migrating first). Idempotent.
 * Without DATABASE_URL it seeds the embedded database of a running `npm start`.
 */
import { config } from '../common/config';
import { createDb } from '../db/connection';
import { migrateLatest } from '../db/migrate';
import { ping } from '../db/repositories/database';
import { seed } from '../db/seeds';

async function main(): Promise<void> {
  const { databaseUrl, embeddedPgPort } = config();
  const url = databaseUrl ?? `postgres://postgres@127.0.0.1:${embeddedPgPort}/postgres`;
  const db = createDb({ url, poolMax: 2 });
  try {
    await ping(db).catch((err: Error) => {
      const hint = databaseUrl
        ? ''
        : ' DATABASE_URL is unset, so this is the embedded database: is `npm start` running?';
      throw new Error(`Cannot reach ${url.replace(/\/\/[^@]*@/, '//')}: ${err.message}.${hint}`);
    });
    await migrateLatest(db);
    const result = await seed(db);
    console.log(
      `Seeded tasks ${result.tasks.join(', ')}; events ${result.events.join(', ')}; workflows ${result.workflows.join(', ')}; triggers ${result.triggers.join(', ')}; forms ${result.forms.join(', ')}; roles ${result.roles.join(', ')}; test definitions ${result.tests.join(', ')}.`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
