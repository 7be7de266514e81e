/** The bounded batch writer against fake sinks: drops are counted by reason, order kept, close flushes. */
import { BatchWriter, batchWriterStats, type DropReason } from '../../services/observability/batch-writer';

const tick = () => new Promise((r) => setImmediate(r));

describe('BatchWriter', () => {
  it('writes batches in offer order, at most batchSize rows per write', async () => {
    const writes: number[][] = [];
    const w = new BatchWriter<number>({
      name: 't',
      batchSize: 3,
      intervalMs: 10,
      write: async (rows) => void writes.push(rows),
    });
    for (let i = 0; i < 7; i++) expect(w.offer(i)).toBe(true);
    await w.flush(1000);
    expect(writes.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.max(...writes.map((b) => b.length))).toBeLessThanOrEqual(3);
    expect(w.stats()).toMatchObject({ offered: 7, written: 7, queued: 0, inFlight: 0 });
    await w.close();
  });

  it('writes a partial batch after the interval', async () => {
    const writes: string[][] = [];
    const w = new BatchWriter<string>({ name: 't', intervalMs: 20, write: async (rows) => void writes.push(rows) });
    w.offer('a');
    await new Promise((r) => setTimeout(r, 80));
    expect(writes).toEqual([['a']]);
    await w.close();
  });

  it('drops and counts offers beyond capacity, without throwing or waiting', async () => {
    const w = new BatchWriter<number>({ name: 't', capacity: 5 }); // no sink yet: everything waits
    const accepted = Array.from({ length: 8 }, (_, i) => w.offer(i));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(w.stats()).toMatchObject({ offered: 8, queued: 5, dropped: { queue_full: 3 } });
    const got: number[] = [];
    w.start(async (rows) => void got.push(...rows));
    await w.flush(1000);
    expect(got).toEqual([0, 1, 2, 3, 4]);
    await w.close();
  });

  it('drops and counts a failing write, never retries it, and goes on with the next batch', async () => {
    const drops: Array<[DropReason, number]> = [];
    let calls = 0;
    const w = new BatchWriter<number>({
      name: 't',
      batchSize: 2,
      write: async (rows) => {
        calls++;
        if (rows[0] === 0) throw new Error('db down');
      },
      onDrop: (reason, count) => drops.push([reason, count]),
    });
    [0, 1, 2, 3].forEach((i) => w.offer(i));
    await w.flush(1000);
    expect(calls).toBe(2);
    expect(drops).toEqual([['write_failed', 2]]);
    expect(w.stats()).toMatchObject({ written: 2, dropped: { write_failed: 2, queue_full: 0 } });
    await w.close();
  });

  it('a throwing reporter or synchronously throwing sink never reaches offer()', async () => {
    const w = new BatchWriter<number>({
      name: 't',
      capacity: 1,
      batchSize: 1,
      write: () => {
        throw new Error('sync');
      },
      onDrop: () => {
        throw new Error('reporter');
      },
    });
    expect(() => [1, 2, 3].forEach((i) => w.offer(i))).not.toThrow();
    await w.flush(1000);
    expect(w.stats().dropped.write_failed + w.stats().dropped.queue_full).toBe(3);
    await w.close();
  });

  it('a hanging write times out, counts its rows dropped, and at most maxInFlight writes hang at once', async () => {
    let started = 0;
    const w = new BatchWriter<number>({
      name: 't',
      batchSize: 1,
      capacity: 3,
      writeTimeoutMs: 30,
      maxInFlight: 2,
      write: () => {
        started++;
        return new Promise(() => {}); // never settles
      },
    });
    for (let i = 0; i < 10; i++) w.offer(i);
    await tick();
    await new Promise((r) => setTimeout(r, 80));
    const s = w.stats();
    expect(started).toBe(2);
    expect(s.dropped.write_timeout).toBe(2);
    expect(s.inFlight).toBe(2);
    // 10 offered at once: 3 fit the queue, 7 dropped; the two hanging writes took one row each.
    expect(s.dropped.queue_full).toBe(7);
    expect(s.queued).toBe(1);
    const t0 = Date.now();
    await w.close(50);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(w.stats().dropped.closed).toBe(1);
    expect(w.offer(99)).toBe(false);
    expect(w.stats().dropped.closed).toBe(2);
  });

  it('close() flushes what is queued', async () => {
    const got: number[] = [];
    const w = new BatchWriter<number>({
      name: 't',
      intervalMs: 60_000,
      batchSize: 100,
      write: async (rows) => {
        await new Promise((r) => setTimeout(r, 5));
        got.push(...rows);
      },
    });
    [1, 2, 3].forEach((i) => w.offer(i));
    await w.close(1000);
    expect(got).toEqual([1, 2, 3]);
    expect(w.stats()).toMatchObject({ offered: 3, written: 3, queued: 0 });
  });

  it('batchWriterStats() lists the open writers', async () => {
    const w = new BatchWriter<number>({ name: 'listed' });
    w.offer(1);
    expect(batchWriterStats().find((s) => s.name === 'listed')).toMatchObject({ offered: 1, queued: 1 });
    await w.close(10);
    expect(batchWriterStats().some((s) => s.name === 'listed')).toBe(false);
  });
});
