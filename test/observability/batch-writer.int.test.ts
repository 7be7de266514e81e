/**
 * The log writer against real PostgreSQL: one multi-row INSERT per batch lands every row; with the pool pointed
 * at a dead port, writes fail, rows are dropped and counted, and offer() stays fast.
 */
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createDb } from '../../db/connection';
import { insertLogs, type LogRowInput } from '../../db/repositories/observability';
import { createLogger } from '../../common/logger';
import { BatchWriter, type DropReason } from '../../services/observability/batch-writer';
import { createLogSink } from '../../services/observability/log-sink';
import { createTestDb } from '../helpers/db';

let db: Knex;
beforeAll(() => (db = createTestDb()));
afterAll(() => db?.destroy());

const row = (message: string, extra: Partial<LogRowInput> = {}): LogRowInput => ({
  timestamp: new Date().toISOString(),
  level: 'info',
  message,
  service: 'writer-test',
  request_id: null,
  temporal_workflow_id: null,
  workflow_instance_id: null,
  step_id: null,
  trace_id: null,
  span_id: null,
  attributes: {},
  ...extra,
});

it('writes batches into observability_logs', async () => {
  const tag = randomBytes(4).toString('hex');
  const writes: number[] = [];
  const w = new BatchWriter<LogRowInput>({
    name: 'logs',
    batchSize: 50,
    intervalMs: 20,
    write: (rows) => (writes.push(rows.length), insertLogs(db, rows)),
  });
  for (let i = 0; i < 120; i++)
    w.offer(row(`line ${i}`, { request_id: tag, attributes: { i, nul: 'a\u0000b' }, step_id: 's'.repeat(10) }));
  await w.close(5000);
  expect(w.stats()).toMatchObject({ offered: 120, written: 120, dropped: { write_failed: 0, queue_full: 0 } });
  expect(writes).toEqual([50, 50, 20]);
  const stored = await db('observability_service.observability_logs').where({ request_id: tag });
  expect(stored).toHaveLength(120);
  expect(stored.find((r) => r.message === 'line 7')?.attributes).toEqual({ i: 7, nul: 'ab' });
});

it('with the database unreachable, drops and counts while offer() stays fast', async () => {
  const dead = createDb({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolMax: 2 });
  const quiet = jest.spyOn(console, 'log').mockImplementation(() => {}); // knex's own "Acquire connection error"
  try {
    const w = new BatchWriter<LogRowInput>({
      name: 'logs',
      capacity: 1000,
      batchSize: 100,
      intervalMs: 10,
      writeTimeoutMs: 2000,
      write: (rows) => insertLogs(dead, rows),
    });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 5000; i++) w.offer(row(`x${i}`));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(ms).toBeLessThan(250);
    await w.close(3000);
    const s = w.stats();
    expect(s.offered).toBe(5000);
    expect(s.written).toBe(0);
    const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    expect(dropped).toBe(5000);
    expect(s.dropped.queue_full).toBeGreaterThanOrEqual(4000);
    expect(s.dropped.write_failed + s.dropped.write_timeout).toBeGreaterThan(0);
  } finally {
    quiet.mockRestore();
    await dead.destroy();
  }
});

it("the log sink's drops are reported outside the logger: no line about a drop is offered back", async () => {
  const dead = createDb({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolMax: 1 });
  const quiet = jest.spyOn(console, 'log').mockImplementation(() => {});
  const reports: DropReason[] = [];
  const sink = createLogSink({ level: 'info', intervalMs: 10, report: (reason) => reports.push(reason) });
  try {
    const logger = createLogger({ level: 'silent', name: 'aos-test', sinks: [sink.destination] });
    sink.start(dead);
    for (let i = 0; i < 100; i++) logger.info({ i }, 'line');
    await sink.close(3000);
    expect(reports).toContain('write_failed');
    expect(sink.stats()).toMatchObject({ offered: 100, written: 0 });
  } finally {
    quiet.mockRestore();
    await dead.destroy();
  }
});
