/**
 * Metric series for the API: the samples of one metric, filtered by labels and time, grouped into one series per
 * label set, raw or aggregated into fixed buckets.
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import {
  listMetricPoints,
  type MetricAggregate,
  type MetricSeriesQuery,
} from '../../db/repositories/observability-queries';

/** One series: a label set and its points, oldest first. */
export interface MetricSeries {
  labels: Record<string, unknown>;
  points: Array<{ at: Date; value: number }>;
}

/** The answer: the metric's series, and whether `limit` cut the newest points. */
export interface MetricSeriesAnswer {
  name: string;
  step_seconds: number | null;
  aggregate: MetricAggregate | null;
  series: MetricSeries[];
  truncated: boolean;
}

/** Parses the `labels` parameter (a JSON object of string or number values); 400 naming it otherwise. */
export function parseLabels(raw: string | undefined): Record<string, string | number> | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const ok =
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
  if (!ok)
    throw AppError.badRequest('invalid labels', [
      {
        pointer: '/query/labels',
        message: 'must be a JSON object of string or number values, e.g. {"definition":"x"}',
      },
    ]);
  return value as Record<string, string | number>;
}

/** The series of one metric; an unknown metric or an empty range answers no series (not a 404). */
export async function metricSeries(db: Knex, q: MetricSeriesQuery): Promise<MetricSeriesAnswer> {
  const rows = await listMetricPoints(db, q);
  const kept = rows.slice(0, q.limit);
  const byLabels = new Map<string, MetricSeries>();
  for (const r of kept) {
    const key = JSON.stringify(Object.entries(r.labels).sort(([a], [b]) => a.localeCompare(b)));
    let s = byLabels.get(key);
    if (!s) byLabels.set(key, (s = { labels: r.labels, points: [] }));
    s.points.push({ at: r.at, value: Number(r.value) });
  }
  return {
    name: q.name,
    step_seconds: q.stepSeconds ?? null,
    aggregate: q.stepSeconds ? (q.agg ?? 'avg') : null,
    series: [...byLabels.values()],
    truncated: rows.length > q.limit,
  };
}
