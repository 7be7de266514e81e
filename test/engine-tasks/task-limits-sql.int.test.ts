/**
 * The statements behind task limits (db/repositories/task-limits.ts) against PostgreSQL, without Temporal:
 * GCRA slots (spacing, burst, concurrent takers, the horizon that reserves nothing) and concurrency leases
 * (the limit, an idempotent holder, expiry, release).
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  acquireLease,
  findRateLimit,
  listLeases,
  releaseLease,
  renewLease,
  takeRateSlot,
  TASK_CONCURRENCY_LEASES,
} from '../../db/repositories/task-limits';
import { createTestDb } from '../helpers/db';

let db: Knex;
beforeAll(() => {
  db = createTestDb();
});
afterAll(async () => {
  await db?.destroy();
});

const taskId = () => `t-${randomUUID()}`;

/**
 * Takes `n` rate slots of `id` one after another. The database computes each wait at some instant between sending
 * and answering, so each slot's instant on this process's clock is known to lie in [before + wait, after + wait].
 */
async function takeSlots(id: string, n: number, opts: { ratePerSecond: number; burst?: number }) {
  const slots: Array<{ wait: number; lo: number; hi: number }> = [];
  for (let i = 0; i < n; i++) {
    const before = performance.now();
    const wait = (await takeRateSlot(db, id, opts))!;
    const after = performance.now();
    slots.push({ wait, lo: before + wait, hi: after + wait });
  }
  return slots;
}

/**
 * Whether slot `b` may be `ms` after slot `a`, given each one's uncertainty (plus 2 ms for the clocks' rounding).
 * This holds however slow the round trips are, where a bound on the waits alone fails on a loaded machine.
 */
function spaced(a: { lo: number; hi: number }, b: { lo: number; hi: number }, ms: number): boolean {
  return b.lo - a.hi - 2 <= ms && ms <= b.hi - a.lo + 2;
}

describe('GCRA rate slots', () => {
  it('lets the first call go at once and spaces the next ones 1/rate apart', async () => {
    const slots = await takeSlots(taskId(), 4, { ratePerSecond: 10 });
    expect(slots[0]!.wait).toBe(0);
    for (let i = 1; i < 4; i++) {
      expect(slots[i]!.wait).toBeGreaterThan(0);
      expect(slots[i]!.wait).toBeLessThanOrEqual(i * 100);
      expect({ slot: i, spaced: spaced(slots[0]!, slots[i]!, i * 100) }).toEqual({ slot: i, spaced: true });
    }
  });

  it('lets a burst go at once, then spaces the rest', async () => {
    const slots = await takeSlots(taskId(), 5, { ratePerSecond: 10, burst: 3 });
    expect(slots.slice(0, 3).map((s) => s.wait)).toEqual([0, 0, 0]);
    // After the burst the slots fall 1/rate apart, counted from the first call.
    expect(slots[3]!.wait).toBeLessThanOrEqual(100);
    expect(spaced(slots[0]!, slots[3]!, 100)).toBe(true);
    expect(slots[4]!.wait).toBeLessThanOrEqual(200);
    expect(spaced(slots[0]!, slots[4]!, 200)).toBe(true);
  });

  it('gives concurrent takers distinct slots, one interval apart (the row update serialises them)', async () => {
    const id = taskId();
    const n = 20;
    const t0 = Date.now();
    const waits: number[] = [];
    const slots = await Promise.all(
      Array.from({ length: n }, async () => {
        const wait = (await takeRateSlot(db, id, { ratePerSecond: 20 }))!;
        waits.push(wait);
        return Date.now() + wait; // when this taker may go, on this process's clock
      }),
    );
    slots.sort((a, b) => a - b);
    const span = slots[n - 1] - slots[0];
    // 19 gaps of 50 ms. Each true slot lies in [t0 + wait, resolved + wait], so the latest resolved slot minus the
    // earliest possible one is at least the true span, however slow the round trips (2 ms for rounding).
    expect(slots[n - 1]! - (t0 + Math.min(...waits))).toBeGreaterThanOrEqual(19 * 50 - 2);
    expect(span).toBeLessThan(19 * 50 + 40 + (Date.now() - t0));
    // Each slot is read on this process's clock when its promise resolves, so under load a gap is blurred by as much
    // as the ends are (40 ms); a shared slot would show as a gap near 0.
    const gaps = slots.slice(1).map((s, i) => s - slots[i]);
    expect(Math.min(...gaps)).toBeGreaterThan(50 - 40);
  });

  it('reserves nothing when the slot would come after the caller could use it', async () => {
    const id = taskId();
    await takeRateSlot(db, id, { ratePerSecond: 1 }); // goes now; the next slot is ~1 s away
    const before = await findRateLimit(db, id);
    expect(await takeRateSlot(db, id, { ratePerSecond: 1 }, 200)).toBeUndefined();
    expect((await findRateLimit(db, id))?.tat).toEqual(before?.tat);
    const wait = await takeRateSlot(db, id, { ratePerSecond: 1 }, 5_000);
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(1_000);
  });

  it('catches up after a quiet spell: an idle task lets a call go at once again', async () => {
    const id = taskId();
    await takeRateSlot(db, id, { ratePerSecond: 20 });
    await new Promise((r) => setTimeout(r, 120));
    expect(await takeRateSlot(db, id, { ratePerSecond: 20 })).toBe(0);
  });
});

describe('concurrency leases', () => {
  it('grants at most `limit` leases, and again after one is released', async () => {
    const id = taskId();
    expect(await acquireLease(db, id, 'a', 2, 10_000)).toBe(true);
    expect(await acquireLease(db, id, 'b', 2, 10_000)).toBe(true);
    expect(await acquireLease(db, id, 'c', 2, 10_000)).toBe(false);
    await releaseLease(db, id, 'a');
    expect(await acquireLease(db, id, 'c', 2, 10_000)).toBe(true);
    expect((await listLeases(db, id)).map((l) => l.holder).sort()).toEqual(['b', 'c']);
  });

  it('lets a holder acquire again without taking a second place (a retried acquire)', async () => {
    const id = taskId();
    expect(await acquireLease(db, id, 'a', 1, 10_000)).toBe(true);
    expect(await acquireLease(db, id, 'a', 1, 10_000)).toBe(true);
    expect(await listLeases(db, id)).toHaveLength(1);
  });

  it('ignores and deletes expired leases (a crashed call frees its place)', async () => {
    const id = taskId();
    await db(TASK_CONCURRENCY_LEASES).insert({
      task_id: id,
      holder: 'crashed',
      expires_at: db.raw(`now() - interval '1 second'`),
    });
    expect(await acquireLease(db, id, 'a', 1, 10_000)).toBe(true);
    expect((await listLeases(db, id)).map((l) => l.holder)).toEqual(['a']);
  });

  it('renews a held lease, and says so when it is gone', async () => {
    const id = taskId();
    await acquireLease(db, id, 'a', 1, 1_000);
    const [before] = await listLeases(db, id);
    expect(await renewLease(db, id, 'a', 60_000)).toBe(true);
    const [after] = await listLeases(db, id);
    expect(after.expires_at.getTime()).toBeGreaterThan(before.expires_at.getTime() + 50_000);
    await releaseLease(db, id, 'a');
    expect(await renewLease(db, id, 'a', 60_000)).toBe(false);
  });

  it('never grants more than the limit to concurrent acquirers', async () => {
    const id = taskId();
    const granted = await Promise.all(Array.from({ length: 12 }, (_, i) => acquireLease(db, id, `h${i}`, 3, 10_000)));
    expect(granted.filter(Boolean)).toHaveLength(3);
    expect(await listLeases(db, id)).toHaveLength(3);
  });
});
