/**
 * The metrics rollup: every `intervalMs` the process reads its Prometheus registry (`getMetricsAsJSON()`, the
 * scrape-time gauges included, themselves bounded by their own timeout) and offers one observability_metrics row
 * per sample to a {@link BatchWriter}. A tick never blocks anything: it runs on an unref'd timer, never overlaps
 * the previous one, and rows the database cannot take promptly are dropped and counted by the writer (writer
 * `metrics` in `aos_telemetry_rows_dropped_total`).
 *
 * What is written:
 * - counters and gauges: one row per labelled series, its current value (counters are per process and since its
 *   start, as on `/metrics`);
 * - histograms: `<name>_count` and `<name>_sum` per series, not the buckets (a bucket row per `le` would multiply
 *   the rows ~15 times; the buckets stay on `/metrics` for Prometheus);
 * - summaries: every sample (quantiles, `_sum`, `_count`);
 * - not prom-client's default process metrics (`aos_process_*`, `aos_nodejs_*`: CPU, heap, event-loop lag...),
 *   which are a scraper's business and would be most of the rows; nor the Temporal SDK's series (another exporter).
 */
import type { Knex } from 'knex';
import type { MetricObjectWithValues, MetricValue, MetricValueWithName, Registry } from 'prom-client';
import type { Config } from '../../common/config';
import { insertMetrics, type MetricRowInput } from '../../db/repositories/observability';
import { BatchWriter, type BatchWriterStats, type DropReason } from './batch-writer';
import { registry as platformRegistry, withTimeout } from './metrics';

/** Names of prom-client's default metrics (with the platform's `aos_` prefix): not rolled up. */
export const DEFAULT_PROCESS_METRICS = /^aos_(process|nodejs)_/;

const TYPES = new Set<MetricRowInput['type']>(['counter', 'gauge', 'histogram', 'summary']);
/** Longest stored name (the column's size). */
const MAX_NAME = 255;

/** The unit a metric's name announces (Prometheus naming: `_seconds`, `_bytes`...), or null. */
export function unitOf(name: string): string | null {
  const m = /_(seconds|bytes|ratio|milliseconds|celsius|meters|volts|amperes|joules|grams)(_total)?$/.exec(name);
  return m ? m[1] : null;
}

/** Options of {@link metricsToRows}. */
export interface MetricsToRowsOptions {
  /** Metrics (by name) left out; default {@link DEFAULT_PROCESS_METRICS}. */
  skip?: (name: string) => boolean;
  /** Labels added to every row (e.g. the process), the metric's own win on a clash. */
  labels?: Record<string, string>;
}

/** Maps a registry's JSON (`getMetricsAsJSON()`) to rows recorded at `at`; see the module comment. */
export function metricsToRows(
  metrics: readonly MetricObjectWithValues<MetricValue<string> | MetricValueWithName<string>>[],
  at: Date,
  opts: MetricsToRowsOptions = {},
): MetricRowInput[] {
  const skip = opts.skip ?? ((name: string) => DEFAULT_PROCESS_METRICS.test(name));
  const recorded_at = at.toISOString();
  const rows: MetricRowInput[] = [];
  for (const m of metrics) {
    const type = String(m.type) as MetricRowInput['type'];
    if (!TYPES.has(type) || skip(m.name)) continue;
    const baseUnit = unitOf(m.name);
    for (const v of m.values) {
      const sampleName = ('metricName' in v && v.metricName) || m.name;
      if (type === 'histogram' && sampleName.endsWith('_bucket')) continue;
      if (typeof v.value !== 'number' || !Number.isFinite(v.value)) continue;
      const labels: Record<string, string | number> = { ...opts.labels };
      for (const [k, x] of Object.entries(v.labels ?? {})) if (x !== undefined) labels[k] = x;
      rows.push({
        name: sampleName.slice(0, MAX_NAME),
        type,
        value: v.value,
        // A count has no unit; a sum, a quantile or the value itself has the metric's.
        unit: sampleName.endsWith('_count') && sampleName !== m.name ? null : baseUnit,
        labels,
        recorded_at,
      });
    }
  }
  return rows;
}

/** Options of {@link createMetricsRollup}. */
export interface MetricsRollupOptions extends MetricsToRowsOptions {
  /** Time between snapshots (> 0). */
  intervalMs: number;
  /** The registry read; default the platform's. */
  registry?: Registry;
  /** The writer's queue bound [10000 rows]. */
  capacity?: number;
  /** A write pending longer is dropped [5000 ms]. */
  writeTimeoutMs?: number;
  /** Told about drops (already counted by the writer). */
  onDrop?: (reason: DropReason, count: number, err?: unknown) => void;
}

/** A running rollup: `start` with the database, `close` on shutdown. */
export interface MetricsRollup {
  /** Starts the timer and the writer (first snapshot after one interval). */
  start(db: Knex): void;
  /** Takes one snapshot now and offers its rows; resolves to the number offered (0 while one is running). */
  tick(): Promise<number>;
  /** Stops the timer, takes a last snapshot and flushes, all within `deadlineMs`; later rows are dropped. */
  close(deadlineMs?: number): Promise<void>;
  /** The writer's counters. */
  stats(): BatchWriterStats;
}

/** Creates a rollup; see the module comment. */
export function createMetricsRollup(opts: MetricsRollupOptions): MetricsRollup {
  const reg = opts.registry ?? platformRegistry;
  const writer = new BatchWriter<MetricRowInput>({
    name: 'metrics',
    capacity: opts.capacity,
    writeTimeoutMs: opts.writeTimeoutMs,
    onDrop: opts.onDrop,
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let closed = false;

  const snapshot = async (): Promise<number> => {
    try {
      const rows = metricsToRows(await reg.getMetricsAsJSON(), new Date(), opts);
      for (const row of rows) writer.offer(row);
      return rows.length;
    } catch {
      // A collect() that throws costs this snapshot only; the next tick tries again.
      return 0;
    }
  };
  const tick = (): Promise<number> => {
    if (running || closed) return Promise.resolve(0);
    running = snapshot().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start(db) {
      if (closed) return;
      writer.start((rows) => insertMetrics(db, rows));
      if (!timer) {
        timer = setInterval(() => void tick(), Math.max(1, opts.intervalMs));
        timer.unref();
      }
    },
    tick,
    async close(deadlineMs = 2000) {
      if (closed) return;
      if (timer) clearInterval(timer);
      timer = undefined;
      const until = Date.now() + deadlineMs;
      await withTimeout(running ?? tick(), Math.max(1, Math.floor(deadlineMs / 2))).catch(() => undefined);
      closed = true;
      await writer.close(Math.max(1, until - Date.now()));
    },
    stats: () => writer.stats(),
  };
}

/** The rollup of a process's config, or undefined when OBSERVABILITY_METRICS_ROLLUP_MS is 0. */
export function metricsRollupFromConfig(
  config: Pick<Config, 'observabilityMetricsRollupMs'>,
  labels?: Record<string, string>,
): MetricsRollup | undefined {
  if (config.observabilityMetricsRollupMs <= 0) return undefined;
  return createMetricsRollup({ intervalMs: config.observabilityMetricsRollupMs, labels });
}
