/** The same migrations on the embedded PGlite default (served over the wire protocol, as `npm start` does). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createDb } from './connection';
import { migrateLatest } from './migrate';
import { ensurePartitions } from './partitions';
import { PARTITION_COLUMNS, documentedTables } from './schema-expectations';
import { listTables, partitionedTables } from './schema-inspect';

let child: ChildProcess;
let db: Knex;

function startPglite(): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'test-support', 'pglite-child.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('postgres://'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`PGlite child exited with ${code}`)));
  });
}

beforeAll(async () => {
  db = createDb({ url: await startPglite(), poolMax: 1 });
}, 120_000);
afterAll(async () => {
  await db?.destroy();
  child?.kill('SIGTERM');
});

describe('migrations on embedded PGlite', () => {
  it('create all 23 documented tables, partition the five time-series tables, and re-run as a no-op', async () => {
    expect((await migrateLatest(db)).length).toBeGreaterThanOrEqual(8);
    const tables = await listTables(db);
    for (const t of documentedTables()) expect(tables).toContain(t);
    expect(await partitionedTables(db)).toEqual(Object.keys(PARTITION_COLUMNS).sort());
    expect(await migrateLatest(db)).toEqual([]);
  }, 120_000);

  it('accept events dated next month and three years ago, and keep partitions ahead', async () => {
    const next = new Date();
    next.setUTCMonth(next.getUTCMonth() + 1);
    const old = new Date();
    old.setUTCFullYear(old.getUTCFullYear() - 3);
    await db('event_processing_service.event_instances').insert([
      { event_id: 'pglite-next', pattern: 'a.b', created_at: next },
      { event_id: 'pglite-old', pattern: 'a.b', created_at: old },
    ]);
    expect(await ensurePartitions(db, 3)).toBe(0);
    const [{ count }] = await db('event_processing_service.event_instances').count({ count: '*' });
    expect(Number(count)).toBe(2);
  });
});
