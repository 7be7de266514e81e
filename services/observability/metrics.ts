/**
 * The platform's Prometheus metrics (prom-client), declared once for the whole process: the API and the worker
 * record into the same registry, and `/metrics` (api/http/metrics.ts, workers/metrics-server.ts) answers its text
 * followed by the Temporal SDK's own series (the Core runtime's Prometheus exporter, common/temporal-logging.ts).
 *
 * Counters are per process: Prometheus sums them over the API and worker processes. The gauges are counted from
 * PostgreSQL at scrape time, cached for a moment and bounded by a timeout, so a scrape never waits on a slow
 * database for long and a burst of scrapes costs one query.
 */
import type { Knex } from 'knex';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { batchWriterStats } from './batch-writer';
import { countGaugeRows, type GaugeCounts } from '../../db/repositories/metrics-gauges';

/** The registry every platform metric lives in (not prom-client's global one). */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'aos_' });

const registers = [registry];

/** Workflow runs that started (once per run; a continue-as-new chain is one run), by definition workflow_id. */
export const runsStarted = new Counter({
  name: 'aos_runs_started_total',
  help: 'Workflow runs started, by definition',
  labelNames: ['definition'] as const,
  registers,
});

/** Runs that reached `completed`, by definition. */
export const runsCompleted = new Counter({
  name: 'aos_runs_completed_total',
  help: 'Workflow runs completed, by definition',
  labelNames: ['definition'] as const,
  registers,
});

/** Runs that reached `failed`, by definition. */
export const runsFailed = new Counter({
  name: 'aos_runs_failed_total',
  help: 'Workflow runs failed, by definition',
  labelNames: ['definition'] as const,
  registers,
});

/** Runs that reached `cancelled`, by definition. */
export const runsCancelled = new Counter({
  name: 'aos_runs_cancelled_total',
  help: 'Workflow runs cancelled, by definition',
  labelNames: ['definition'] as const,
  registers,
});

/** Runs terminated (API terminate, quarantine, reconciled from Temporal), by definition. */
export const runsTerminated = new Counter({
  name: 'aos_runs_terminated_total',
  help: 'Workflow runs terminated, by definition',
  labelNames: ['definition'] as const,
  registers,
});

/** Runs that hit their execution timeout (reconciled from Temporal), by definition. */
export const runsTimedOut = new Counter({
  name: 'aos_runs_timed_out_total',
  help: 'Workflow runs timed out, by definition',
  labelNames: ['definition'] as const,
  registers,
});

/** Wall time of completed runs, started_at to completed_at as mirrored, by definition. */
export const runDuration = new Histogram({
  name: 'aos_run_duration_seconds',
  help: 'Duration of completed workflow runs (started_at to completed_at), by definition',
  labelNames: ['definition'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400],
  registers,
});

/** Attempts of the runTask activity, by task type (http, transform, ...). */
export const taskAttempts = new Counter({
  name: 'aos_task_attempts_total',
  help: 'Task attempts started (runTask activity executions), by task type',
  labelNames: ['task_type'] as const,
  registers,
});

/** Attempts that failed (cancellations excluded), by task type. */
export const taskFailures = new Counter({
  name: 'aos_task_failures_total',
  help: 'Task attempts that failed (not counting cancellations), by task type',
  labelNames: ['task_type'] as const,
  registers,
});

/** Duration of each task attempt, whatever its outcome, by task type. */
export const taskAttemptDuration = new Histogram({
  name: 'aos_task_attempt_duration_seconds',
  help: 'Duration of task attempts, by task type',
  labelNames: ['task_type'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers,
});

/** Events newly stored by ingest (`POST /events`, batches, emit_event); idempotent repeats are not counted. */
export const eventsIngested = new Counter({
  name: 'aos_events_ingested_total',
  help: 'Events stored by ingest (repeats of a stored eventId excluded)',
  registers,
});

/** Time from an event's storage to its successful delivery by the dispatcher. */
export const deliveryLag = new Histogram({
  name: 'aos_event_delivery_lag_seconds',
  help: 'Time from an event being stored to its delivery by the dispatcher',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  registers,
});

/**
 * Delivery attempts by dispatcher shard (`<index>/<count>`, or `all` for the unsharded dispatcher) and outcome:
 * shows how the work spreads over the shards. At most EVENT_DISPATCH_SHARDS x 3 series per count.
 */
export const dispatcherEvents = new Counter({
  name: 'aos_dispatcher_events_total',
  help: 'Delivery attempts made by the event dispatcher, by shard and outcome',
  labelNames: ['shard', 'outcome'] as const,
  registers,
});

/** Scrapes whose gauge query failed or timed out (the gauges then show their last known values). */
export const gaugeErrors = new Counter({
  name: 'aos_metrics_gauge_errors_total',
  help: 'Scrape-time gauge queries that failed or timed out',
  registers,
});

/** Partitions the maintenance job created ahead of time, by table (`schema.table`). */
export const partitionsCreated = new Counter({
  name: 'aos_partitions_created_total',
  help: 'Range partitions created ahead by partition maintenance, by table',
  labelNames: ['table'] as const,
  registers,
});

/** Partitions dropped because their whole range is older than the table's retention, by table. */
export const partitionsDropped = new Counter({
  name: 'aos_partitions_dropped_total',
  help: 'Expired range partitions dropped by partition maintenance, by table',
  labelNames: ['table'] as const,
  registers,
});

/** Expired partitions kept because their table's guard found rows still in use (unfinished runs, undelivered events). */
export const partitionsKept = new Counter({
  name: 'aos_partitions_kept_total',
  help: 'Expired range partitions kept because they still hold rows in use, by table',
  labelNames: ['table'] as const,
  registers,
});

/** Rows deleted by row retention (closed runs, delivered queue rows, closed dead letters), by table. */
export const retentionRowsDeleted = new Counter({
  name: 'aos_retention_rows_deleted_total',
  help: 'Rows past their retention deleted by data lifecycle maintenance, by table',
  labelNames: ['table'] as const,
  registers,
});

/** Rows written to archive files before they were dropped or deleted, by table; failures by table too. */
export const archivedRows = new Counter({
  name: 'aos_archived_rows_total',
  help: 'Rows written to archive files by data lifecycle maintenance, by table',
  labelNames: ['table'] as const,
  registers,
});

/** Archive writes that failed (the data was kept), by table. */
export const archiveFailures = new Counter({
  name: 'aos_archive_failures_total',
  help: 'Archive files that could not be written (their rows were kept), by table',
  labelNames: ['table'] as const,
  registers,
});

/** Partition maintenance runs, by outcome: ok, failed (retried next run), locked (another process was running it). */
export const partitionMaintenanceRuns = new Counter({
  name: 'aos_partition_maintenance_runs_total',
  help: 'Partition maintenance runs, by outcome (ok, failed, locked)',
  labelNames: ['outcome'] as const,
  registers,
});

/**
 * Rows the process's telemetry writers (the log sink's batch writer, later the span exporter) dropped instead of
 * waiting, by writer and reason (queue_full, write_failed, write_timeout, closed): read from the writers' own
 * monotonic counters at scrape time, so a drop is never a write to remember on the hot path.
 */
export const telemetryRowsDropped = new Counter({
  name: 'aos_telemetry_rows_dropped_total',
  help: 'Telemetry rows (logs, spans, metric samples) dropped instead of waited for, by writer and reason',
  labelNames: ['writer', 'reason'] as const,
  registers,
  collect() {
    this.reset();
    for (const w of batchWriterStats())
      for (const [reason, n] of Object.entries(w.dropped)) this.inc({ writer: w.name, reason }, n);
  },
});

// --- Scrape-time gauges ---------------------------------------------------------------------------------------

/** How the gauges are read: the database, and how long a count is reused / may take. */
export interface GaugeSourceOptions {
  /** A count younger than this is reused [5000 ms]. */
  ttlMs?: number;
  /** A count taking longer is abandoned for this scrape [2000 ms]. */
  timeoutMs?: number;
}

interface GaugeSource {
  db: Knex;
  ttlMs: number;
  timeoutMs: number;
  last?: { at: number; counts: GaugeCounts };
  inflight?: Promise<GaugeCounts | undefined>;
}

let source: GaugeSource | undefined;

/**
 * Sets the database the gauges count from (the API app and the worker call it; one database per process).
 * Without one (a process that set none) the gauges read 0.
 */
export function setGaugeSource(db: Knex, opts: GaugeSourceOptions = {}): void {
  source = { db, ttlMs: opts.ttlMs ?? 5000, timeoutMs: opts.timeoutMs ?? 2000 };
}

/** Forgets the gauge source (tests, shutdown). */
export function clearGaugeSource(): void {
  source = undefined;
}

/** Resolves `p`, or undefined once `ms` passed; the timer never keeps the process alive. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref?.();
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}

async function countNow(s: GaugeSource): Promise<GaugeCounts | undefined> {
  try {
    const counts = await withTimeout(countGaugeRows(s.db), s.timeoutMs);
    if (counts === undefined) {
      gaugeErrors.inc();
      return s.last?.counts;
    }
    s.last = { at: Date.now(), counts };
    return counts;
  } catch {
    gaugeErrors.inc();
    return s.last?.counts;
  }
}

/** The gauges' counts: cached for ttlMs, one query at a time; the last known counts when the query fails. */
export async function readGauges(): Promise<GaugeCounts | undefined> {
  const s = source;
  if (!s) return undefined;
  if (s.last && Date.now() - s.last.at < s.ttlMs) return s.last.counts;
  s.inflight ??= countNow(s).finally(() => {
    s.inflight = undefined;
  });
  return s.inflight;
}

function scrapeGauge(name: string, help: string, pick: (c: GaugeCounts) => number): Gauge {
  return new Gauge({
    name,
    help,
    registers,
    async collect() {
      const counts = await readGauges();
      if (counts === undefined) this.reset();
      else this.set(pick(counts));
    },
  });
}

/** Due event_queue_state rows the dispatcher has not delivered yet. */
export const dispatcherBacklog = scrapeGauge(
  'aos_dispatcher_backlog',
  'Events due for delivery and not delivered yet (event_queue_state)',
  (c) => c.dispatcherBacklog,
);
/** Open dead letters. */
export const deadLettersOpen = scrapeGauge(
  'aos_dead_letters_open',
  'Dead letters neither redriven nor discarded',
  (c) => c.deadLettersOpen,
);
/** Human tasks waiting for a person. */
export const humanTasksOpen = scrapeGauge(
  'aos_human_tasks_open',
  'Human tasks waiting for a person',
  (c) => c.humanTasksOpen,
);

// --- Recording helpers ------------------------------------------------------------------------------------------

/** A mirrored run status change that took effect (see services/mirror/workflow-mirror.ts). */
export interface RunTransition {
  definition: string;
  status: string;
  /** Set for the run's first transition to running (a start recorded once). */
  started?: boolean;
  startedAt?: Date | string | null;
  completedAt?: Date | string | null;
}

/** Seconds between two timestamps, or undefined when either is missing or they are out of order. */
export function secondsBetween(from?: Date | string | null, to?: Date | string | null): number | undefined {
  if (!from || !to) return undefined;
  const s = (new Date(to).getTime() - new Date(from).getTime()) / 1000;
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}

/** Records a run transition that changed the run's row (so each is counted once, however often it is retried). */
export function recordRunTransition(t: RunTransition): void {
  const labels = { definition: t.definition };
  if (t.started) runsStarted.inc(labels);
  if (t.status === 'completed') {
    runsCompleted.inc(labels);
    const seconds = secondsBetween(t.startedAt, t.completedAt);
    if (seconds !== undefined) runDuration.observe(labels, seconds);
  } else if (t.status === 'failed') runsFailed.inc(labels);
  else if (t.status === 'cancelled') runsCancelled.inc(labels);
  else if (t.status === 'terminated') runsTerminated.inc(labels);
  else if (t.status === 'timed_out') runsTimedOut.inc(labels);
}

/** A run row closed outside the mirror (closeOpenWorkflowInstance answered it: the close took effect once). */
export function recordRunClosed(row: {
  definition_workflow_id: string;
  status: string;
  started_at?: Date | string | null;
  completed_at?: Date | string | null;
}): void {
  recordRunTransition({
    definition: row.definition_workflow_id,
    status: row.status,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  });
}

/** The Temporal Core runtime's Prometheus endpoint (host:port) to merge into `/metrics`; undefined = none. */
let sdkAddress: string | undefined;

/** Names the Temporal SDK exporter's address (set where the runtime is installed). */
export function setTemporalMetricsAddress(address: string | undefined): void {
  sdkAddress = address;
}

/** The SDK exporter's text, or '' when none is configured or it does not answer within `timeoutMs`. */
async function temporalSdkText(timeoutMs: number): Promise<string> {
  if (!sdkAddress) return '';
  try {
    const res = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return '';
    return await res.text();
  } catch {
    return '';
  }
}

/** The exposition content type (Prometheus text format 0.0.4). */
export const METRICS_CONTENT_TYPE = registry.contentType;

/** The full `/metrics` text: the platform's metrics, then the Temporal SDK's. */
export async function metricsText(opts: { sdkTimeoutMs?: number } = {}): Promise<string> {
  const [own, sdk] = await Promise.all([registry.metrics(), temporalSdkText(opts.sdkTimeoutMs ?? 1000)]);
  if (!sdk) return own;
  return `${own.endsWith('\n') ? own : `${own}\n`}${sdk}`;
}
