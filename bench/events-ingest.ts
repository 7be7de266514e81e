/** Ingest half of bench:events: POST /events against a bare INSERT of the same rows into the same table. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import { handoffBacklog, handoffsSent } from '../services/events/handoff';
import { addCpu, cpuUsed, type CpuMeter, type CpuUse } from './cpu-meter';
import { postAll } from './events-load';
import { runConcurrently, summarise, type Series } from './events-stats';

/** What the measurements share. */
export interface BenchCtx {
  db: Knex;
  temporal: Client;
  config: Config;
  base: string;
  auth: Record<string, string>;
  /** CPU of this stack (bench process, its Temporal server, its database's backends). */
  meter: CpuMeter;
}

/** CPU (ms) each side used during its measured rounds; the API's `self` includes the load generator's `loadGen`. */
export interface IngestCpu {
  bare: CpuUse;
  api: CpuUse;
  loadGen: number;
}

const EI = 'event_processing_service.event_instances';

/** Measures both paths; the API's events use a registered pattern with a payload schema. */
export async function measureIngest(
  ctx: BenchCtx,
  n: number,
  concurrency: number,
  rounds: number,
): Promise<{
  api: Series;
  acked: Series;
  bare: Series;
  pattern: string;
  stored: number;
  wakeups: number;
  cpu: IngestCpu;
}> {
  const tag = randomUUID().slice(0, 8);
  const pattern = `bench${tag}.order.created`;
  const definition = {
    event_id: `bench-${tag}`,
    name: 'bench',
    pattern,
    version: '1.0.0',
    payload_schema: {
      type: 'object',
      required: ['orderId', 'total'],
      properties: { orderId: { type: 'string' }, total: { type: 'number' } },
    },
  };
  const res = await fetch(`${ctx.base}/event-definitions`, {
    method: 'POST',
    headers: { ...ctx.auth, 'content-type': 'application/json' },
    body: JSON.stringify(definition),
  });
  if (res.status !== 201) throw new Error(`definition: ${res.status} ${await res.text()}`);
  const body = (i: number) => ({
    pattern,
    payload: { orderId: `o-${i}`, total: i },
    metadata: { correlationId: `c-${tag}-${i}` },
  });

  const [{ id: definitionId }] = await ctx
    .db('event_processing_service.event_definitions')
    .where({ pattern })
    .select('id');
  // The baseline writes the same event row the API stores (same columns, payload, metadata, definition id and
  // sequence key), one single-row statement per event, same concurrency, same pool: what the table allows.
  const bareRow = async (i: number) => {
    const b = body(i);
    await ctx.db.raw(
      `INSERT INTO ${EI} (event_id, pattern, version, source, payload, metadata, partition_key, event_definition_id, sequence_key, sequence_number)
      VALUES (?, ?, '1.0.0', ?::jsonb, ?::jsonb, ?::jsonb, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM'), ?, ?, 1)`,
      [
        randomUUID(),
        `bare${tag}.order.created`,
        JSON.stringify({ type: 'external' }),
        JSON.stringify(b.payload),
        JSON.stringify(b.metadata),
        definitionId,
        b.metadata.correlationId,
      ],
    );
  };
  // Warm-up of both paths: connections, JIT, validator and principal caches (not counted).
  await runConcurrently(100, concurrency, async (i) => void (await post(ctx, body(i))));
  await runConcurrently(100, concurrency, async (i) => bareRow(n + 100 + i));
  // Interleaved rounds, alternating which side goes first: load from elsewhere on this shared machine falls
  // on both sides alike. An API round ends when its requests are answered AND its wake-ups of the dispatcher
  // are done (the background hand-off must keep up for the rate to be sustainable).
  const bare = { latencies: [] as number[], seconds: 0 };
  const wakeupsBefore = handoffsSent(ctx.temporal);
  const api = { latencies: [] as number[], seconds: 0, ackSeconds: 0, statuses: {} as Record<number, number> };
  const none: CpuUse = { self: 0, temporal: 0, pg: 0 };
  const cpu: IngestCpu = { bare: none, api: none, loadGen: 0 };
  const per = Math.ceil(n / rounds);
  for (let r = 0, from = 0; from < n; r++, from += per) {
    const count = Math.min(per, n - from);
    const runBare = async () => {
      const before = await ctx.meter.snapshot();
      const b = await runConcurrently(count, concurrency, async (i) => bareRow(from + i));
      cpu.bare = addCpu(cpu.bare, cpuUsed(before, await ctx.meter.snapshot()));
      bare.latencies.push(...b.latencies);
      bare.seconds += b.seconds;
    };
    const runApi = async () => {
      const bodies = Array.from({ length: count }, (_, i) => JSON.stringify(body(100 + from + i)));
      const before = await ctx.meter.snapshot();
      const t0 = performance.now();
      const a = await postAll({ url: `${ctx.base}/events`, headers: ctx.auth, concurrency, bodies });
      api.ackSeconds += a.seconds;
      while (handoffBacklog(ctx.temporal) > 0) await new Promise((res) => setTimeout(res, 5));
      api.seconds += (performance.now() - t0) / 1000;
      cpu.api = addCpu(cpu.api, cpuUsed(before, await ctx.meter.snapshot()));
      cpu.loadGen += a.cpuMs ?? 0;
      api.latencies.push(...a.latencies);
      for (const [k, v] of Object.entries(a.statuses)) api.statuses[Number(k)] = (api.statuses[Number(k)] ?? 0) + v;
    };
    if (r % 2 === 0) await runBare().then(runApi);
    else await runApi().then(runBare);
  }
  if (api.statuses[202] !== n) throw new Error(`POST /events statuses: ${JSON.stringify(api.statuses)}`);
  const [{ c }] = await ctx.db(EI).where({ pattern }).count({ c: '*' });
  return {
    api: summarise('POST /events (validate + store + queue + hand-off done)', api.latencies, api.seconds),
    acked: summarise('POST /events, acknowledged only (hand-offs still running)', api.latencies, api.ackSeconds),
    bare: summarise('bare single-row INSERT into event_instances', bare.latencies, bare.seconds),
    pattern,
    stored: Number(c) - 100,
    wakeups: handoffsSent(ctx.temporal) - wakeupsBefore,
    cpu,
  };
}

async function post(ctx: BenchCtx, body: object): Promise<number> {
  const res = await fetch(`${ctx.base}/events`, {
    method: 'POST',
    headers: { ...ctx.auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Waits until every stored event of `pattern` is delivered; returns the drain time and the counts. */
export async function waitDelivered(
  db: Knex,
  pattern: string,
  _n: number,
): Promise<{ seconds: number; delivered: number; total: number }> {
  const began = performance.now();
  for (;;) {
    const [row] = await db
      .raw(
        `SELECT count(*) FILTER (WHERE q.status = 'delivered') AS d, count(*) AS t FROM event_processing_service.event_queue_state q
      JOIN ${EI} e ON e.event_id = q.event_id AND q.consumer = 'router' WHERE e.pattern = ?`,
        [pattern],
      )
      .then((r: { rows: Array<{ d: number; t: number }> }) => r.rows);
    if (Number(row.d) === Number(row.t) || performance.now() - began > 600_000) {
      return { seconds: (performance.now() - began) / 1000, delivered: Number(row.d), total: Number(row.t) };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
