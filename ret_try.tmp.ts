import { createDb } from './db/connection';
import { migrationSource } from './db/migrate';
async function main() {
  const db = createDb({ url: 'postgres://postgres@127.0.0.1:5432/aos_ret_scratch', poolMax: 2 });
  console.log(await db.migrate.down({ migrationSource }));
  const { rows } = await db.raw(`select tableoid::regclass, id, message from observability_service.observability_logs`);
  console.log(rows);
  console.log(await db.migrate.up({ migrationSource }));
  console.log((await db.raw(`select tableoid::regclass, id, message from observability_service.observability_logs`)).rows);
  await db.destroy();
}
main().catch((e) => { console.error(e); process.exit(1); });
