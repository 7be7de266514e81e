import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../../db/connection';
import { migrateLatest } from '../../db/migrate';
import { startEmbeddedPostgres } from '../../devstack/embedded-postgres';
import { freePort } from '../../devstack/free-port';

// The quick-start path: no DATABASE_URL, so `npm start` serves PGlite over the wire protocol.
describe('embedded PostgreSQL (PGlite) start path', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aos-pglite-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the migrations, and a second start finds the data again', async () => {
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    const db = createDb({ url: first.url, poolMax: 4 });
    try {
      const applied = await migrateLatest(db);
      expect(applied.length).toBeGreaterThan(0);
      await db.raw(`CREATE TABLE IF NOT EXISTS public.restart_probe (v text)`);
      await db('public.restart_probe').insert({ v: 'kept' });
    } finally {
      await db.destroy();
      await first.stop();
    }

    const second = await startEmbeddedPostgres({ dataDir, port });
    const again = createDb({ url: second.url, poolMax: 2 });
    try {
      expect(await migrateLatest(again)).toEqual([]);
      const rows = await again('public.restart_probe').select('v');
      expect(rows).toEqual([{ v: 'kept' }]);
      const tables = await again('information_schema.tables').where({ table_schema: 'workflow_orchestrator_service' }).pluck('table_name');
      expect(tables).toEqual(expect.arrayContaining(['workflow_definitions', 'workflow_instances']));
    } finally {
      await again.destroy();
      await second.stop();
    }
  }, 120_000);
});
