/**
 * The queries behind the observability read endpoints: log search (run, trace, levels, time range, text), the
 * spans of one trace or one run, and metric series. Every query filters on columns, never on the primary key's
 * shape, so it works whether the tables are plain or partitioned by time with PRIMARY KEY (id, <time column>).
 */
import { paginateSelect, type Page, type PageRequest } from './keyset';
import { OBSERVABILITY_TABLES, type ObservabilityRow } from './observability';
import type { Db } from './sql';

/** Which log lines a search returns (all optional; every given one must hold). */
export interface LogSearch {
  /** Column equalities (workflow_instance_id, trace_id, step_id, request_id, service, ...). */
  equals?: Record<string, unknown>;
  /** One of these levels. */
  levels?: readonly string[];
  /** At or after this instant (inclusive). */
  from?: string;
  /** Before this instant (exclusive). */
  to?: string;
  /** Case-insensitive substring of the message; `%`, `_` and `\` match themselves. */
  text?: string;
}

/** `text` as a LIKE pattern that matches it anywhere, its wildcards and the escape character taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** One page of log lines, newest first; a substring search is an ILIKE a trigram index on `message` serves. */
export function searchLogs(db: Db, f: LogSearch, page: PageRequest): Promise<Page<ObservabilityRow>> {
  const { table, time } = OBSERVABILITY_TABLES.logs;
  const q = db(table).select('*');
  for (const [column, value] of Object.entries(f.equals ?? {})) if (value !== undefined) q.where(column, value);
  if (f.levels?.length) q.whereIn('level', f.levels);
  if (f.from) q.where(time, '>=', f.from);
  if (f.to) q.where(time, '<', f.to);
  // The backslash is PostgreSQL's default LIKE escape; spelled out so a changed default cannot widen the match.
  if (f.text) q.whereRaw(`message ILIKE ? ESCAPE '\\'`, [containsPattern(f.text)]);
  return paginateSelect<ObservabilityRow>(q, page, { column: time });
}

/** A stored span (observability_traces row). */
export interface SpanRow {
  id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  service: string | null;
  kind: string | null;
  status: 'unset' | 'ok' | 'error';
  started_at: Date;
  ended_at: Date | null;
  duration_ms: number | null;
  temporal_workflow_id: string | null;
  workflow_instance_id: string | null;
  attributes: Record<string, unknown>;
  events: unknown[];
  created_at: Date;
  updated_at: Date;
}

/** Up to `limit` spans of one trace, in start order. */
export async function listTraceSpans(db: Db, traceId: string, limit: number): Promise<SpanRow[]> {
  return (await db(OBSERVABILITY_TABLES.traces.table)
    .where({ trace_id: traceId })
    .orderBy([
      { column: 'started_at', order: 'asc' },
      { column: 'span_id', order: 'asc' },
    ])
    .limit(limit)) as SpanRow[];
}

/** Which spans belong to a run: its id or its Temporal workflow id, started within [from, to]. */
export interface RunSpanFilter {
  workflowInstanceId: string;
  temporalWorkflowId: string;
  /** Bounds on started_at: they prune time partitions and the scan of spans that carry only the workflow id. */
  from: Date;
  to: Date;
}

/** Up to `limit` spans of one run, in start order. */
export async function listRunSpans(db: Db, f: RunSpanFilter, limit: number): Promise<SpanRow[]> {
  return (await db(OBSERVABILITY_TABLES.traces.table)
    .where('started_at', '>=', f.from)
    .andWhere('started_at', '<=', f.to)
    .andWhere((w) =>
      w.where('workflow_instance_id', f.workflowInstanceId).orWhere('temporal_workflow_id', f.temporalWorkflowId),
    )
    .orderBy([
      { column: 'started_at', order: 'asc' },
      { column: 'span_id', order: 'asc' },
    ])
    .limit(limit)) as SpanRow[];
}

/** Which samples a metric series query reads. */
export interface MetricSeriesQuery {
  name: string;
  /** Samples whose labels contain these (jsonb containment, served by the labels GIN index). */
  labels?: Record<string, string | number>;
  from?: string;
  to?: string;
  /** Bucket width in seconds: one point per bucket and label set, aggregated by `agg`. */
  stepSeconds?: number;
  agg?: MetricAggregate;
  /** At most this many points (the query reads one more to tell a truncated answer). */
  limit: number;
}

/** How the samples of a bucket become its point. */
export type MetricAggregate = 'avg' | 'sum' | 'min' | 'max' | 'count' | 'last';

/** One point of a series, the labels of its sample. */
export interface MetricPointRow {
  labels: Record<string, unknown>;
  at: Date;
  value: number;
}

const AGGREGATES: Record<MetricAggregate, string> = {
  avg: 'avg(value)',
  sum: 'sum(value)',
  min: 'min(value)',
  max: 'max(value)',
  count: 'count(*)::double precision',
  last: '(array_agg(value ORDER BY recorded_at DESC))[1]',
};

/** Points of metric `name` (one per sample, or per bucket with `stepSeconds`), oldest first. */
export async function listMetricPoints(db: Db, f: MetricSeriesQuery): Promise<MetricPointRow[]> {
  const { table, time } = OBSERVABILITY_TABLES.metrics;
  const q = db(table).where('name', f.name);
  if (f.labels && Object.keys(f.labels).length > 0) q.whereRaw('labels @> ?::jsonb', [JSON.stringify(f.labels)]);
  if (f.from) q.where(time, '>=', f.from);
  if (f.to) q.where(time, '<', f.to);
  if (f.stepSeconds !== undefined) {
    if (!Number.isInteger(f.stepSeconds) || f.stepSeconds < 1) throw new RangeError('stepSeconds: a positive integer');
    // Buckets aligned on the epoch, so the same step gives the same buckets whatever the range asked.
    const bucket = `date_bin(${f.stepSeconds} * interval '1 second', ${time}, TIMESTAMPTZ 'epoch')`;
    q.select('labels', db.raw(`${bucket} AS at`), db.raw(`${AGGREGATES[f.agg ?? 'avg']} AS value`))
      .groupByRaw(`labels, ${bucket}`)
      .orderByRaw('at, labels::text');
  } else {
    q.select('labels', db.raw(`${time} AS at`), 'value').orderByRaw(`${time}, labels::text, id`);
  }
  return (await q.limit(f.limit + 1)) as MetricPointRow[];
}
