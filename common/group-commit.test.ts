/** Group commit: batching under load, no added latency when quiet, per-item outcomes. */
import { createGroupCommit, type BatchOutcome } from './group-commit';

type FlushResult = BatchOutcome<undefined>;

/** A flush whose batches are recorded and complete only when released. */
function gatedFlush(answer: (items: number[]) => FlushResult = (items) => items.map(() => undefined)) {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const flush = (items: number[]) => {
    batches.push(items);
    return new Promise<FlushResult>((resolve) => gates.push(() => resolve(answer(items))));
  };
  const release = async () => {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { flush, batches, release };
}

describe('createGroupCommit', () => {
  it('flushes the first write at once, and everything queued during a flush as the next batch', async () => {
    const f = gatedFlush();
    const gc = createGroupCommit(f.flush);
    const first = gc.write(1);
    expect(f.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => gc.write(n));
    expect(f.batches).toHaveLength(1); // queued behind the batch in flight
    await f.release();
    expect(f.batches).toEqual([[1], [2, 3, 4]]);
    await first;
    await f.release();
    await Promise.all(rest);
  });

  it('keeps up to maxInFlight batches going and caps their size', async () => {
    const f = gatedFlush();
    const gc = createGroupCommit(f.flush, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((n) => gc.write(n));
    expect(f.batches).toEqual([[1], [2]]);
    await f.release();
    expect(f.batches).toEqual([[1], [2], [3, 4]]);
    await f.release();
    await f.release();
    await f.release();
    expect(f.batches).toEqual([[1], [2], [3, 4], [5, 6]]);
    await Promise.all(all);
  });

  it('settles each item with its own outcome', async () => {
    const f = gatedFlush((items) => items.map((n) => (n % 2 === 0 ? new Error(`bad ${n}`) : undefined)));
    const gc = createGroupCommit(f.flush);
    const outcomes = [1, 2, 3].map((n) =>
      gc.write(n).then(
        () => 'ok',
        (err: Error) => err.message,
      ),
    );
    await f.release();
    await f.release();
    expect(await Promise.all(outcomes)).toEqual(['ok', 'bad 2', 'ok']);
    expect(f.batches).toEqual([[1], [2, 3]]);
  });

  it('fails every item of a batch whose flush throws, and goes on with the next batch', async () => {
    let calls = 0;
    const gc = createGroupCommit(async (items: number[]) => {
      calls += 1;
      if (calls === 1) throw new Error('connection lost');
      return items.map(() => undefined);
    });
    await expect(gc.write(1)).rejects.toThrow('connection lost');
    await expect(gc.write(2)).resolves.toBeUndefined();
  });
});
