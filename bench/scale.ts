/**
 * `npm run bench:scale`: how the platform's per-event costs grow with the size of what it keeps, each series
 * measured at growing sizes in one run on one stack (the Temporal dev server unless TEMPORAL_ADDRESS is set, a
 * scratch database created on the local PostgreSQL and dropped afterwards, the API and the worker in this
 * process as in bench:events):
 *  1. triggers: routing latency (routeEvent, one event at a time) and delivery throughput (POST /events until
 *     every event is delivered) with 1 / 1,000 / 10,000 enabled triggers, all but one non-matching, 40% of
 *     them wildcards;
 *  2. subscriptions: event-to-resume latency (POST /events to a waiting run until it completes, against a direct
 *     signal) with 1 / 10,000 / 100,000 open subscriptions (bulk rows in SQL; the measured waits are real runs);
 *  3. stored events: ingest rate (POST /events, and the bare single-row INSERT beside it) with event_instances
 *     holding 0 / 1M / 10M rows (bulk-loaded with INSERT ... SELECT generate_series; the load is timed);
 *     the worker is stopped for this series, as in bench:events;
 *  4. runs per second (three no-op tasks, mirror on, started with startRun) with worker processes
 *     (workers/main.ts children): the dev server with one worker, the real multi-service Temporal server on
 *     PostgreSQL (devstack/temporal-server.ts, databases created for the run and dropped) with one and two.
 * Each series prints how much worse its largest size is than its smallest (goal: at most 1.5x).
 * Options: --quick (stored events 0 / 100k / 1M, fewer events per size), --only=triggers,subscriptions,ingest,runs.
 * Env: BENCH_DELIVER (events delivered per trigger size; 2000, quick 1000), BENCH_ROUTES (events routed per
 * trigger size; 300), BENCH_RESUMES (resumes per mode and size; 20), BENCH_EVENTS (ingest events per size and
 * side; 4000, quick 2000), BENCH_CONCURRENCY (32), BENCH_EVENT_SIZES (comma-separated, overrides the stored-event
 * sizes), BENCH_RUNS (runs per server row; 300, quick 150), BENCH_RUN_CONCURRENCY (20), TEMPORAL_ADDRESS, AOS_TEST_ADMIN_DATABASE_URL / DATABASE_URL (server for the scratch database).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { startBenchServers, writeWorkflowBundle } from './bench-stack';
import { createApiApp } from '../api/api-app';
import { syncPermissions } from '../api/auth/bootstrap';
import { allRoutes } from '../api/routes';
import { createLogger } from '../common/logger';
import { createDb } from '../db/connection';
import { createTestCaller } from '../test/helpers/auth';
import { createOrchestratorWorker } from '../workers/orchestrator';
import { createCpuMeter } from './cpu-meter';
import { measureIngest, type BenchCtx } from './events-ingest';
import { measureResume } from './events-resume';
import { benchDefinition, matchingTrigger, measureTriggers, registerEventType } from './scale-measure';
import { seriesLines, sizeLabel, type ScaleSeries } from './scale-report';
import { loadEvents, seedSubscriptions, seedTriggers } from './scale-seed';
import { measureRuns, spawnWorker, storeRunDefinition } from './scale-runs';
import { startTemporalServer } from '../devstack/temporal-server';
import { ADMIN_URL } from '../test/helpers/test-database';

const QUICK = process.argv.includes('--quick');
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const num = (name: string, full: number, quick = full) => Number(process.env[name] ?? (QUICK ? quick : full));
const DELIVER = num('BENCH_DELIVER', 2000, 1000);
const ROUTES = num('BENCH_ROUTES', 300);
const RESUMES = num('BENCH_RESUMES', 20);
const EVENTS = num('BENCH_EVENTS', 4000, 2000);
const RUNS = num('BENCH_RUNS', 300, 150);
const RUN_CONCURRENCY = num('BENCH_RUN_CONCURRENCY', 20);
const CONCURRENCY = num('BENCH_CONCURRENCY', 32);
const TRIGGER_SIZES = [1, 1_000, 10_000];
const SUBSCRIPTION_SIZES = [1, 10_000, 100_000];
const EVENT_SIZES = process.env.BENCH_EVENT_SIZES
  ? process.env.BENCH_EVENT_SIZES.split(',').map(Number)
  : QUICK
    ? [0, 100_000, 1_000_000]
    : [0, 1_000_000, 10_000_000];
const wanted = (series: string) => !ONLY || ONLY.includes(series);
const log = (line: string) => console.error(`[bench:scale ${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => loadavg()[0]!.toFixed(1);

async function triggerSeries(ctx: BenchCtx): Promise<ScaleSeries> {
  const tag = randomUUID().slice(0, 8);
  const pattern = `scale${tag}.order.created`;
  await registerEventType(ctx, pattern);
  const definitionId = await benchDefinition(ctx.db, `trg-${tag}`);
  await matchingTrigger(ctx.db, definitionId, pattern);
  const series: ScaleSeries = {
    title: 'Enabled triggers: routing latency and delivery throughput',
    sizeLabel: 'enabled triggers',
    metrics: [
      { name: 'routing p50', unit: 'ms', better: 'lower' },
      { name: 'routing p99', unit: 'ms', better: 'lower' },
      { name: 'delivery', unit: 'events/s', better: 'higher' },
    ],
    points: [],
  };
  for (const size of TRIGGER_SIZES) {
    const added = await seedTriggers(ctx.db, definitionId, size);
    log(`triggers: ${size} enabled (${added} added); load ${load()}`);
    const m = await measureTriggers(ctx, pattern, size, { events: DELIVER, routes: ROUTES, concurrency: CONCURRENCY });
    series.points.push({
      label: sizeLabel(size),
      values: { 'routing p50': m.routing.p50, 'routing p99': m.routing.p99, delivery: m.delivery.perSecond },
      note: `${m.delivery.events} events ${m.delivery.allDelivered ? 'all delivered' : 'NOT all delivered'} in ${m.delivery.seconds.toFixed(1)} s; load ${load()}`,
    });
    log(`triggers ${size}: routing p50 ${m.routing.p50.toFixed(1)} ms, delivery ${m.delivery.perSecond.toFixed(0)}/s`);
  }
  return series;
}

async function subscriptionSeries(ctx: BenchCtx): Promise<ScaleSeries> {
  const pattern = `scale${randomUUID().slice(0, 8)}.payment.approved`;
  const series: ScaleSeries = {
    title: 'Open subscriptions: event-to-resume latency',
    sizeLabel: 'open subscriptions',
    metrics: [
      { name: 'event p50', unit: 'ms', better: 'lower' },
      { name: 'event p99', unit: 'ms', better: 'lower' },
      { name: 'direct signal p50', unit: 'ms', better: 'lower' },
    ],
    points: [],
  };
  for (const size of SUBSCRIPTION_SIZES) {
    // The measured run's own wait is the last one open at each size.
    const added = await seedSubscriptions(ctx.db, pattern, size - 1);
    log(`subscriptions: ${size} open (${added} bulk rows added); load ${load()}`);
    const r = await measureResume(ctx, RESUMES, undefined, { pattern });
    series.points.push({
      label: sizeLabel(size),
      values: { 'event p50': r.event.p50, 'event p99': r.event.p99, 'direct signal p50': r.signal.p50 },
      note: `${r.event.count} resumes per mode; load ${load()}`,
    });
    log(`subscriptions ${size}: event p50 ${r.event.p50.toFixed(1)} ms, signal p50 ${r.signal.p50.toFixed(1)} ms`);
  }
  return series;
}

async function ingestSeries(ctx: BenchCtx): Promise<ScaleSeries> {
  const series: ScaleSeries = {
    title: 'Stored events: ingest rate',
    sizeLabel: 'rows in event_instances',
    metrics: [
      { name: 'POST /events', unit: 'events/s', better: 'higher' },
      { name: 'POST p99', unit: 'ms', better: 'lower' },
      { name: 'bare INSERT', unit: 'rows/s', better: 'higher' },
      { name: 'POST stack CPU', unit: 'µs/event', better: 'lower' },
      { name: 'bare INSERT PostgreSQL CPU', unit: 'µs/row', better: 'lower' },
    ],
    points: [],
  };
  for (const size of EVENT_SIZES) {
    const loaded = await loadEvents(ctx.db, size, { log });
    log(`stored events: ${size} (${loaded.added} loaded in ${loaded.seconds.toFixed(1)} s); load ${load()}`);
    const r = await measureIngest(ctx, EVENTS, CONCURRENCY, 2);
    series.points.push({
      label: sizeLabel(size),
      values: {
        'POST /events': r.api.perSecond,
        'POST p99': r.api.p99,
        'bare INSERT': r.bare.perSecond,
        // CPU of the stack per event (bench process less the load generator, Temporal, PostgreSQL): other load on
        // the machine moves it far less than the rates.
        'POST stack CPU': ((r.cpu.api.self - r.cpu.loadGen + r.cpu.api.pg + r.cpu.api.temporal) * 1000) / EVENTS,
        'bare INSERT PostgreSQL CPU': (r.cpu.bare.pg * 1000) / EVENTS,
      },
      note:
        (loaded.added > 0
          ? `bulk load of ${sizeLabel(loaded.added)} rows: ${loaded.seconds.toFixed(0)} s (${Math.round(loaded.added / loaded.seconds)} rows/s); `
          : '') + `load ${load()}`,
    });
    log(`stored events ${size}: POST ${r.api.perSecond.toFixed(0)}/s, bare ${r.bare.perSecond.toFixed(0)}/s`);
  }
  return series;
}

/**
 * Runs per second with worker processes (workers/main.ts children) on the dev server (one worker; the one this
 * bench started, or TEMPORAL_ADDRESS) and on the real multi-service server on PostgreSQL (one, then two
 * workers); the real server's databases are created for this run and dropped after it.
 */
async function runsSeries(ctx: BenchCtx, devAddress: string, bundlePath: string): Promise<ScaleSeries> {
  const workflowId = await storeRunDefinition(ctx.db);
  const series: ScaleSeries = {
    title: 'Runs per second: dev server and the real Temporal server with one and two worker processes',
    sizeLabel: 'server, worker processes',
    metrics: [
      { name: 'throughput', unit: 'runs/s', better: 'higher' },
      { name: 'p50', unit: 'ms', better: 'lower' },
      { name: 'p99', unit: 'ms', better: 'lower' },
    ],
    points: [],
  };
  const measure = async (label: string, address: string, namespace: string, workers: number) => {
    const taskQueue = `bench-scale-runs-${randomUUID().slice(0, 8)}`;
    const env = {
      DATABASE_URL: ctx.config.databaseUrl!,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    };
    const procs = [];
    try {
      for (let i = 0; i < workers; i++) procs.push(await spawnWorker(env));
      log(`runs: ${label}: ${workers} worker process(es) polling; load ${load()}`);
      const s = await measureRuns(ctx, { address, namespace, taskQueue }, workflowId, RUNS, RUN_CONCURRENCY, label);
      series.points.push({
        label,
        values: { throughput: s.perSecond, p50: s.p50, p99: s.p99 },
        note: `${s.count} runs, ${RUN_CONCURRENCY} in flight; load ${load()}`,
      });
      log(`runs: ${label}: ${s.perSecond.toFixed(1)} runs/s`);
    } finally {
      for (const p of procs) await p.stop();
    }
  };
  await measure('dev server, 1 worker', devAddress, ctx.config.temporalNamespace, 1);
  const prefix = `aos_bench_temporal_${randomUUID().slice(0, 8)}`;
  const server = await startTemporalServer({
    postgresUrl: ADMIN_URL,
    databasePrefix: prefix,
    dataDir: mkdtempSync(join(tmpdir(), 'aos-bench-temporal-')),
    historyShards: 4,
    log: (l) => process.env.BENCH_SERVER_LOG && log(`temporal-server: ${l}`),
  });
  try {
    await measure('real server, 1 worker', server.address, server.namespace, 1);
    await measure('real server, 2 workers', server.address, server.namespace, 2);
  } finally {
    await server.stop();
    const admin = createDb({ url: ADMIN_URL, poolMax: 1 });
    for (const name of [prefix, `${prefix}_visibility`])
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  }
  return series;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const began = Date.now();
  log(
    `load before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}${QUICK ? ' (quick)' : ''}`,
  );
  const servers = await startBenchServers('bench-scale');
  const { server, address, config, db } = servers;
  const logger = createLogger({ level: 'warn' });
  const temporal = new Client({ connection: await Connection.connect({ address }) });
  const deps = { config, db, logger, temporal };
  await syncPermissions(deps, allRoutes());
  const caller = await createTestCaller(deps, ['*'], 'bench');
  const http = createApiApp(deps).listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1`;
  const bundlePath = await writeWorkflowBundle();
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const ctx: BenchCtx = {
    db,
    temporal,
    config,
    base,
    // The API key, not the access token: a full run outlives the token.
    auth: caller.keyHeader,
    meter: createCpuMeter({ temporalPid: server?.process.pid, db }),
  };
  const series: ScaleSeries[] = [];
  try {
    if (wanted('triggers') || wanted('subscriptions')) {
      worker = await createOrchestratorWorker({
        config,
        db,
        logger,
        temporal,
        connection: await NativeConnection.connect({ address }),
        workflowBundlePath: bundlePath,
        workerOptions: { maxConcurrentWorkflowTaskExecutions: 100, maxConcurrentLocalActivityExecutions: 100 },
      });
      running = worker.run();
      if (wanted('triggers')) series.push(await triggerSeries(ctx));
      if (wanted('subscriptions')) series.push(await subscriptionSeries(ctx));
      worker.shutdown();
      await running;
      running = undefined;
    }
    // Without the worker (as bench:events measures ingest): the dispatcher's work is not charged to either side.
    // Before ingest, whose events stay undelivered (no worker): the runs' workers would start on that backlog.
    if (wanted('runs')) series.push(await runsSeries(ctx, address, bundlePath));
    if (wanted('ingest')) series.push(await ingestSeries(ctx));
    const minutes = ((Date.now() - began) / 60_000).toFixed(1);
    console.log(
      `\nbench:scale${QUICK ? ' --quick' : ''}, ${new Date().toISOString().slice(0, 10)}, ${minutes} min, load after ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
    for (const s of series) console.log(seriesLines(s).join('\n'));
  } finally {
    if (running && worker) {
      worker.shutdown();
      await running;
    }
    http.close();
    await temporal.connection.close();
    await servers.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
