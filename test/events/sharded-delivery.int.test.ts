/**
 * Sharded event delivery (docs/events.md#sharded-delivery): the dispatch hash is the same in JS and SQL, events
 * spread over the shards are all delivered, per-key order holds with several shards and while two shard counts
 * run side by side, a lowered count leaves nothing undelivered (and the shards of the old count retire), and a
 * wake-up after ingest targets the shards of the committed events only.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import { dispatcherShardWorkflowId, type DispatchShard } from '../../common/events/delivery';
import { dispatchHashOf, eventDispatchHash } from '../../common/events/dispatch-shards';
import { createLogger } from '../../common/logger';
import { handoffBacklog, wakeDispatcher } from '../../services/events/handoff';
import { publishBatch, type EventDeps } from '../../services/events/ingest';
import { createOrchestratorWorker } from '../../workers/orchestrator';
import { temporalAddress } from '../helpers/temporal';
import { TEST_ENV } from '../harness-state';
import { eventually } from './flows';
import { createEventsHarness, uniq, type EventsHarness } from './harness';

jest.setTimeout(180_000);

const Q = 'event_processing_service.event_queue_state';

/** The router rows of some events that are not delivered yet. */
async function undelivered(h: EventsHarness, eventIds: string[]): Promise<number> {
  const [{ n }] = await h
    .db(Q)
    .whereIn('event_id', eventIds)
    .where({ consumer: 'router' })
    .whereNot({
      status: 'delivered',
    })
    .count({ n: '*' });
  return Number(n);
}

/** Waits until every one of the events is delivered. */
async function allDelivered(h: EventsHarness, eventIds: string[], timeoutMs = 90_000): Promise<void> {
  await eventually(async () => (await undelivered(h, eventIds)) === 0, timeoutMs, 200);
}

/** Pairs of one key's events whose later number was delivered before the earlier one (none when order held). */
async function reversals(h: EventsHarness, keyPrefix: string): Promise<number> {
  const { rows } = (await h.db.raw(
    `SELECT count(*) AS n FROM (
       SELECT delivered_at < lag(delivered_at) OVER (PARTITION BY sequence_key ORDER BY sequence_number) AS reversed
       FROM ${Q} WHERE consumer = 'router' AND sequence_key LIKE ?) s WHERE reversed`,
    [`${keyPrefix}%`],
  )) as { rows: Array<{ n: string }> };
  return Number(rows[0]!.n);
}

/** The distinct shards, under `count`, of the events' queue rows. */
async function shardsOfRows(h: EventsHarness, eventIds: string[], count: number): Promise<number[]> {
  const rows = (await h
    .db(Q)
    .whereIn('event_id', eventIds)
    .where({ consumer: 'router' })
    .distinct(h.db.raw('mod(dispatch_hash, ?) AS shard', [count]))) as Array<{ shard: number }>;
  return rows.map((r) => Number(r.shard)).sort((a, b) => a - b);
}

/** The status of a shard's workflow, or null when it was never started. */
async function shardStatus(temporal: Client, taskQueue: string, shard: DispatchShard): Promise<string | null> {
  try {
    return (await temporal.workflow.getHandle(dispatcherShardWorkflowId(taskQueue, shard)).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Events of `keys` (`perKey` each, as rounds of one event per key), or `n` unsequenced events when keys is empty. */
function events(p: string, keys: string[], perKey: number) {
  return Array.from({ length: perKey }, (_, round) =>
    keys.map((key) => ({
      eventId: `${p}-${key}-${round}-${uniq()}`,
      pattern: `${p}.tick`,
      payload: { round },
      metadata: { correlationId: key },
    })),
  );
}

describe('sharded event delivery', () => {
  let h: EventsHarness;
  const p = `shd${uniq()}`;

  beforeAll(async () => {
    h = await createEventsHarness({
      worker: true,
      env: { EVENT_DISPATCH_SHARDS: '4', ACCEPT_UNREGISTERED_EVENTS: 'true' },
    });
  });
  afterAll(() => h.close());

  it('computes the same dispatch hash in JS and in SQL, and stores it on the queue row', async () => {
    const keys = [
      '',
      'a',
      'order-1',
      'ünïcødé-ключ-鍵-🎉',
      'x'.repeat(512),
      ...Array.from({ length: 200 }, (_, i) => `k-${i}-${uniq()}`),
    ];
    const { rows } = (await h.db.raw(
      `SELECT k, event_processing_service.event_dispatch_hash(k) AS h FROM unnest(CAST(? AS text[])) AS k`,
      [keys],
    )) as { rows: Array<{ k: string; h: number }> };
    expect(rows.map((r) => [r.k, r.h])).toEqual(keys.map((k) => [k, dispatchHashOf(k)]));
    expect(rows.every((r) => r.h >= 0)).toBe(true);

    // A row stored by the ingest statement carries the JS hash; one inserted without it gets the SQL one.
    const [batch] = events(p, ['hash-key'], 1);
    const [stored] = await publishBatch({ ...h.deps, handoff: false }, batch!);
    const row = await h.db(Q).where({ event_id: stored!.event.eventId, consumer: 'router' }).first();
    expect(row.dispatch_hash).toBe(eventDispatchHash(stored!.event));
    expect(row.dispatch_hash).toBe(dispatchHashOf('hash-key'));
    await allDelivered(h, [stored!.event.eventId]);
  });

  it('delivers events of many keys, spread over every shard, each key in order', async () => {
    const keys = Array.from({ length: 32 }, (_, i) => `${p}-many-${i}`);
    const ids: string[] = [];
    // Rounds of one event per key, published concurrently: every key's events are stored in round order.
    for (const round of events(p, keys, 6)) {
      await publishBatch(h.deps, round);
      ids.push(...round.map((e) => e.eventId));
    }
    await allDelivered(h, ids);
    expect(await shardsOfRows(h, ids, 4)).toEqual([0, 1, 2, 3]);
    expect(await reversals(h, `${p}-many-`)).toBe(0);
    // Each shard ran as its own workflow.
    for (let index = 0; index < 4; index++)
      expect(await shardStatus(h.temporal, h.config.taskQueue, { index, count: 4 })).toBe('RUNNING');
  });

  it('spreads events without a sequence key over the shards by their event id', async () => {
    const batch = Array.from({ length: 40 }, (_, i) => ({
      eventId: `${p}-free-${i}-${uniq()}`,
      pattern: `${p}.free`,
      payload: {},
    }));
    const results = await publishBatch(h.deps, batch);
    expect(results.every((r) => r.event.sequenceKey === null)).toBe(true);
    const ids = batch.map((e) => e.eventId);
    await allDelivered(h, ids);
    expect((await shardsOfRows(h, ids, 4)).length).toBeGreaterThanOrEqual(3);
  });

  describe('while the shard count changes', () => {
    let other: { worker: Worker; running: Promise<void>; connection: NativeConnection } | undefined;
    let configOf3: Config;

    beforeAll(async () => {
      // A second worker on the same task queue configured for 3 shards: a rolling change half done.
      configOf3 = { ...h.config, eventDispatchShards: 3 };
      const connection = await NativeConnection.connect({ address: temporalAddress() });
      const worker = await createOrchestratorWorker({
        config: configOf3,
        db: h.db,
        logger: createLogger({ level: 'silent' }),
        connection,
        temporal: h.temporal,
        workflowBundlePath: process.env[TEST_ENV.bundlePath],
      });
      other = { worker, connection, running: worker.run() };
    });
    afterAll(async () => {
      other?.worker.shutdown();
      await other?.running;
      await other?.connection.close();
    });

    it('keeps each key in order while publishers and workers with 4 and with 3 shards run side by side', async () => {
      const keys = Array.from({ length: 12 }, (_, i) => `${p}-mixed-${i}`);
      const deps3: EventDeps = { ...h.deps, config: configOf3 };
      const ids: string[] = [];
      // Alternate publishers of both configurations for the same keys.
      for (const [i, round] of events(p, keys, 10).entries()) {
        await publishBatch(i % 2 ? deps3 : h.deps, round);
        ids.push(...round.map((e) => e.eventId));
      }
      await allDelivered(h, ids);
      expect(await reversals(h, `${p}-mixed-`)).toBe(0);
      // Shards of both counts were woken (each retires on the worker of the other count once drained).
      const started3 = await Promise.all(
        [0, 1, 2].map((index) => shardStatus(h.temporal, h.config.taskQueue, { index, count: 3 })),
      );
      expect(started3.filter((s) => s !== null).length).toBeGreaterThanOrEqual(1);
    });
  });

  it('delivers every row stored under a higher count once the count is lowered, and the old shards retire', async () => {
    const configOf8: Config = { ...h.config, eventDispatchShards: 8 };
    const keys = Array.from({ length: 24 }, (_, i) => `${p}-lowered-${i}`);
    const ids: string[] = [];
    // Stored by a publisher configured for 8 shards whose wake-ups were lost (handoff off): only the worker,
    // configured for 4, is left to deliver them — its sweeper wakes the 4-count shards that hold them.
    for (const round of events(p, keys, 3)) {
      await publishBatch({ ...h.deps, config: configOf8, handoff: false }, round);
      ids.push(...round.map((e) => e.eventId));
    }
    expect((await shardsOfRows(h, ids, 8)).length).toBeGreaterThan(4);
    await allDelivered(h, ids);
    expect(await reversals(h, `${p}-lowered-`)).toBe(0);

    // A shard of the old count, woken now (e.g. by a publisher not yet reconfigured), drains and returns.
    await wakeDispatcher(h.temporal, configOf8, [{ index: 6, count: 8 }]);
    await eventually(
      async () => (await shardStatus(h.temporal, h.config.taskQueue, { index: 6, count: 8 })) === 'COMPLETED',
      30_000,
      200,
    );
  });
});

describe('the wake-up after ingest', () => {
  let h: EventsHarness;
  const p = `shw${uniq()}`;

  // No worker: the woken shard workflows stay as started, so the test sees which ones a commit woke.
  beforeAll(async () => {
    h = await createEventsHarness({ env: { EVENT_DISPATCH_SHARDS: '4', ACCEPT_UNREGISTERED_EVENTS: 'true' } });
  });
  afterAll(async () => {
    for (let index = 0; index < 4; index++) {
      const id = dispatcherShardWorkflowId(h.config.taskQueue, { index, count: 4 });
      await h.temporal.workflow
        .getHandle(id)
        .terminate('test done')
        .catch(() => undefined);
    }
    await h.close();
  });

  it('wakes only the shards of the committed events', async () => {
    // Two keys in different shards.
    const first = `${p}-a`;
    let second = `${p}-b`;
    for (let i = 0; dispatchHashOf(second) % 4 === dispatchHashOf(first) % 4; i++) second = `${p}-b${i}`;
    const expected = [dispatchHashOf(first) % 4, dispatchHashOf(second) % 4].sort();
    const batch = [first, second].map((key) => ({
      pattern: `${p}.woke`,
      payload: {},
      metadata: { correlationId: key },
    }));
    await publishBatch(h.deps, batch);
    await eventually(async () => handoffBacklog(h.temporal) === 0);
    const started = [];
    for (let index = 0; index < 4; index++)
      if ((await shardStatus(h.temporal, h.config.taskQueue, { index, count: 4 })) !== null) started.push(index);
    expect(started).toEqual(expected);
  });
});
