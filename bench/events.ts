/**
 * `npm run bench:events`, two measurements side by side in one run on the same servers:
 *  1. ingest: sustained throughput and p50/p99 latency of `POST /api/v1/events` (real app: auth, validation,
 *     group-committed store, background wake-up of the event dispatcher) against single-row INSERTs of the same event rows into
 *     event_instances at the same concurrency; the delivery worker starts afterwards and the bench waits until
 *     every event is delivered (zero lost = all stored AND all delivered).
 *  2. event-to-resume: a run waiting in wait_for_event, resumed by `POST /events` (store -> dispatcher wake-up
 *     -> dispatch pass -> signal) against the same wait resumed by a direct Temporal signal.
 * Env: BENCH_EVENTS (2000), BENCH_CONCURRENCY (32), BENCH_RESUMES (30), BENCH_ROUNDS (4, interleaved ingest rounds), TEMPORAL_ADDRESS (default: own dev
 * server), AOS_TEST_ADMIN_DATABASE_URL / DATABASE_URL (server to create a scratch database on),
 * BENCH_OBSERVABILITY (default 1; 0 leaves out the "observability on" rows: POST /events and event-to-resume with
 * tracing, the span and log exporters into the bench's database switched on for their own rounds, see
 * bench/observability.ts), BENCH_LOG_LEVEL (default warn: the logger's stdout level in every row; `info`, the
 * production default, writes an access line per request to stdout in the off rows too, so the on rows' extra
 * is the log sink alone: redirect stdout); diagnostics: BENCH_HANDOFF=0 (no hand-off), BENCH_FAST_ROUTE=0
 * (POST /events through the generic Express stack).
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startBenchServers, writeWorkflowBundle } from './bench-stack';
import { createApiApp } from '../api/api-app';
import { syncPermissions } from '../api/auth/bootstrap';
import { allRoutes } from '../api/routes';
import { createLogger } from '../common/logger';
import { createTestCaller } from '../test/helpers/auth';
import { createOrchestratorWorker } from '../workers/orchestrator';
import { temporalClientInterceptors } from '../services/observability/tracing';
import { setupBenchObservability } from './observability';
import { createCpuMeter } from './cpu-meter';
import { measureIngest, waitDelivered } from './events-ingest';
import { measureResume } from './events-resume';
import { printTable } from './events-report';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RESUMES = Number(process.env.BENCH_RESUMES ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const OBSERVABILITY = process.env.BENCH_OBSERVABILITY !== '0';
/** The logger's stdout level in every row (warn: quiet; info: production's default LOG_LEVEL, access lines). */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const servers = await startBenchServers('bench-events');
  const { server, address, config, db } = servers;
  // One API and one worker serve both the off and the on rows; observability is switched on for the on rows'
  // own rounds (global provider, log sink level, the worker's activity interceptors and workflow span sink).
  const obs = OBSERVABILITY ? setupBenchObservability(db, 'aos-bench', LOG_LEVEL) : undefined;
  const logger = obs?.logger ?? createLogger({ level: LOG_LEVEL });
  // The client as the API and the worker build theirs (its interceptors are no-ops while no provider is registered).
  const temporal = new Client({
    connection: await Connection.connect({ address }),
    interceptors: temporalClientInterceptors(),
  });
  const deps = { config, db, logger, temporal, ...(process.env.BENCH_HANDOFF === '0' && { handoff: false }) };
  await syncPermissions(deps, allRoutes());
  const caller = await createTestCaller(deps, ['*'], 'bench');
  // BENCH_FAST_ROUTE=0 (diagnostic): POST /events through the generic Express stack instead of the fast route.
  const routes = process.env.BENCH_FAST_ROUTE === '0' ? allRoutes().map((r) => ({ ...r, fast: false })) : undefined;
  const http = createApiApp(deps, { routes }).listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1`;
  // The production bundle (with Temporal's OpenTelemetry workflow interceptors, which run in the off rows too).
  const bundlePath = await writeWorkflowBundle();
  const worker = await createOrchestratorWorker({
    config,
    db,
    logger,
    temporal,
    connection: await NativeConnection.connect({ address }),
    workflowBundlePath: bundlePath,
    workerOptions: {
      maxConcurrentWorkflowTaskExecutions: 100,
      maxConcurrentLocalActivityExecutions: 100,
      ...obs?.gatedWorkerOptions(),
    },
  });
  let running: Promise<void> | undefined;
  try {
    const ctx = {
      db,
      temporal,
      config,
      base,
      auth: caller.bearer,
      meter: createCpuMeter({ temporalPid: server?.process.pid, db }),
    };
    // The worker (dispatcher workflow, routing) starts after the ingest measurement: in production it is its
    // own process, and running it here during only the API half would charge its CPU to that side alone.
    // The API half still pays its own hand-off (the dispatcher wake-ups on the Temporal server).
    const ingest = await measureIngest(ctx, EVENTS, CONCURRENCY, ROUNDS, obs);
    running = worker.run();
    console.error('ingest measured; waiting for every event to be delivered');
    const drain = await waitDelivered(db, ingest.pattern, ingest.stored);
    console.error('delivered; measuring event-to-resume');
    const resume = await measureResume(ctx, RESUMES, obs);
    printTable({ events: EVENTS, concurrency: CONCURRENCY, resumes: RESUMES }, ingest, drain, resume);
  } finally {
    if (running) {
      worker.shutdown();
      await running;
    }
    http.close();
    await temporal.connection.close();
    await obs?.close();
    await servers.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
