/** Ingest half of bench:events: POST /events against a bare INSERT of the same rows into the same table. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import { handoffBacklog, handoffsSent } from '../services/events/handoff';
import { addCpu, cpuUsed, type CpuMeter, type CpuUse } from './cpu-meter';
import type { BenchObservability, ObservabilityCounts } from './observability';
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
  /** The same for the observability-on rounds (zero without them). */
  apiOn: CpuUse;
  loadGenOn: number;
}

/** The POST /events rounds with observability on: series and what they gave the exporters. */
export interface IngestOn {
  api: Series;
  acked: Series;
  rows: ObservabilityCounts;
}

const EI = 'event_processing_service.event_instances';

/** Measures both paths; the API's events use a registered pattern with a payload schema. */
export async function measureIngest(
  ctx: BenchCtx,
  n: number,
  concurrency: number,
  rounds: number,
  obs?: BenchObservability,
): Promise<{
  api: Series;
  acked: Series;
  bare: Series;
  on?: IngestOn;
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
  // Warm-up of both paths: connections, JIT, validator and principal caches (not counted); the API's with
  // observability on too, when measured (its events are stored under the pattern: 100 + 50).
  await runConcurrently(100, concurrency, async (i) => void (await post(ctx, body(i))));
  const warmedOn = obs ? 50 : 0;
  if (obs) {
    obs.on();
    await runConcurrently(warmedOn, concurrency, async (i) => void (await post(ctx, body(3 * n + 100 + i))));
    await obs.settle();
    obs.off();
  }
  await runConcurrently(100, concurrency, async (i) => bareRow(n + 100 + i));
  // Interleaved rounds, alternating which side goes first: load from elsewhere on this shared machine falls
  // on both sides alike. An API round ends when its requests are answered AND its wake-ups of the dispatcher
  // are done (the background hand-off must keep up for the rate to be sustainable).
  const bare = { latencies: [] as number[], seconds: 0 };
  const wakeupsBefore = handoffsSent(ctx.temporal);
  const api = { latencies: [] as number[], seconds: 0, ackSeconds: 0, statuses: {} as Record<number, number> };
  const none: CpuUse = { self: 0, temporal: 0, pg: 0 };
  const cpu: IngestCpu = { bare: none, api: none, loadGen: 0, apiOn: none, loadGenOn: 0 };
  const apiOn = { latencies: [] as number[], seconds: 0, ackSeconds: 0, statuses: {} as Record<number, number> };
  const rows: ObservabilityCounts = { spans: 0, spansWritten: 0, logs: 0, logsWritten: 0, dropped: 0 };
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
    // The on rounds switch observability on as their clock starts and flush their span and log rows before it
    // stops (the rows' writes are this side's cost, not the next round's).
    const runApiSide = async (on: boolean) => {
      const side = on ? apiOn : api;
      const offset = on ? 100 + n : 100;
      const bodies = Array.from({ length: count }, (_, i) => JSON.stringify(body(offset + from + i)));
      const before = await ctx.meter.snapshot();
      const rowsBefore = obs?.counts();
      const t0 = performance.now();
      if (on) obs!.on();
      const a = await postAll({ url: `${ctx.base}/events`, headers: ctx.auth, concurrency, bodies });
      side.ackSeconds += a.seconds;
      while (handoffBacklog(ctx.temporal) > 0) await new Promise((res) => setTimeout(res, 5));
      if (on) {
        await obs!.settle();
        obs!.off();
      }
      side.seconds += (performance.now() - t0) / 1000;
      const used = cpuUsed(before, await ctx.meter.snapshot());
      if (on) {
        cpu.apiOn = addCpu(cpu.apiOn, used);
        cpu.loadGenOn += a.cpuMs ?? 0;
        const now = obs!.counts();
        for (const k of Object.keys(rows) as Array<keyof ObservabilityCounts>) rows[k] += now[k] - rowsBefore![k];
      } else {
        cpu.api = addCpu(cpu.api, used);
        cpu.loadGen += a.cpuMs ?? 0;
      }
      side.latencies.push(...a.latencies);
      for (const [k, v] of Object.entries(a.statuses)) side.statuses[Number(k)] = (side.statuses[Number(k)] ?? 0) + v;
    };
    // Each round rotates which side goes first.
    const sides = [runBare, () => runApiSide(false), ...(obs ? [() => runApiSide(true)] : [])];
    for (let k = 0; k < sides.length; k++) await sides[(r + k) % sides.length]();
  }
  if (api.statuses[202] !== n) throw new Error(`POST /events statuses: ${JSON.stringify(api.statuses)}`);
  if (obs && apiOn.statuses[202] !== n) throw new Error(`POST /events statuses: ${JSON.stringify(apiOn.statuses)}`);
  const [{ c }] = await ctx.db(EI).where({ pattern }).count({ c: '*' });
  return {
    api: summarise('POST /events (validate + store + queue + hand-off done)', api.latencies, api.seconds),
    acked: summarise('POST /events, acknowledged only (hand-offs still running)', api.latencies, api.ackSeconds),
    bare: summarise('bare single-row INSERT into event_instances', bare.latencies, bare.seconds),
    on: obs && {
      api: summarise(
        'POST /events, observability on (hand-off done, spans and log lines written)',
        apiOn.latencies,
        apiOn.seconds,
      ),
      acked: summarise('POST /events, observability on, acknowledged only', apiOn.latencies, apiOn.ackSeconds),
      rows,
    },
    pattern,
    stored: Number(c) - 100 - warmedOn,
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
