/**
 * observability_service: logs, metrics and trace spans, read-only. Each table lists newest first by its own time
 * column, to which the `created_after`/`created_before` filters apply.
 */
import { paginateSelect, type Page, type PageRequest } from './keyset';
import { applyListFilters, type ListQueryValues } from './list-filters';
import type { Db } from './sql';

const S = 'observability_service';

/** The observability tables and the time column each is ordered by. */
export const OBSERVABILITY_TABLES = {
  logs: { table: `${S}.observability_logs`, time: 'timestamp' },
  metrics: { table: `${S}.observability_metrics`, time: 'recorded_at' },
  traces: { table: `${S}.observability_traces`, time: 'started_at' },
} as const;

/** Which observability table: `logs`, `metrics` or `traces`. */
export type ObservabilityKind = keyof typeof OBSERVABILITY_TABLES;

/** A log line, metric sample or span as stored (columns vary by table). */
export type ObservabilityRow = Record<string, unknown> & { id: string };

/** Which rows a list returns: the common filters and `column = value` for every defined entry of `equals`. */
export interface ObservabilityFilter extends ListQueryValues {
  equals?: Record<string, unknown>;
}

/** One page of `kind`'s rows, newest first by its time column. */
export async function listObservability(
  db: Db,
  kind: ObservabilityKind,
  f: ObservabilityFilter,
  page: PageRequest,
): Promise<Page<ObservabilityRow>> {
  const { table, time } = OBSERVABILITY_TABLES[kind];
  const q = db(table).select('*');
  applyListFilters(q, f, { created: time });
  for (const [column, value] of Object.entries(f.equals ?? {})) if (value !== undefined) q.where(column, value);
  return paginateSelect<ObservabilityRow>(q, page, { column: time });
}

/** One row of `kind` by id, or undefined. */
export async function getObservability(
  db: Db,
  kind: ObservabilityKind,
  id: string,
): Promise<ObservabilityRow | undefined> {
  return (await db(OBSERVABILITY_TABLES[kind].table).where({ id }).first()) as ObservabilityRow | undefined;
}

/** A log line to store in observability_logs (strings already cut to their column sizes). */
export interface LogRowInput {
  timestamp: string;
  level: string;
  message: string;
  service: string | null;
  request_id: string | null;
  temporal_workflow_id: string | null;
  /** A uuid, or null: then the run whose temporal_workflow_id matches, if any, fills it. */
  workflow_instance_id: string | null;
  step_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  attributes: Record<string, unknown>;
}

/**
 * Stores log lines with one multi-row INSERT (one parameter: the rows as a JSON array). A line that names a
 * Temporal workflow but no run gets the run of that workflow id (the unique `temporal_workflow_id`), so a run's
 * workflow and activity lines are found by its id.
 */
export async function insertLogs(db: Db, rows: readonly LogRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  // JSON has no NUL-free guarantee and PostgreSQL text/jsonb reject U+0000: strip its escapes.
  const json = JSON.stringify(rows).replace(/(?<!\\)\\u0000/g, '');
  await db.raw(
    `INSERT INTO ${S}.observability_logs
       (timestamp, level, message, service, request_id, temporal_workflow_id, workflow_instance_id, step_id,
        trace_id, span_id, attributes)
     SELECT r.timestamp, r.level, r.message, r.service, r.request_id, r.temporal_workflow_id,
            COALESCE(r.workflow_instance_id, wi.id), r.step_id, r.trace_id, r.span_id, COALESCE(r.attributes, '{}')
       FROM jsonb_to_recordset(?::jsonb) AS r(timestamp timestamptz, level text, message text, service text,
              request_id text, temporal_workflow_id text, workflow_instance_id uuid, step_id text, trace_id text,
              span_id text, attributes jsonb)
       LEFT JOIN workflow_orchestrator_service.workflow_instances wi
         ON r.workflow_instance_id IS NULL AND wi.temporal_workflow_id = r.temporal_workflow_id`,
    [json],
  );
}

/**
 * The monitoring views of migration 008 (read-only), with the columns each can be filtered by (`column = value`)
 * and the order of its rows.
 */
export const MONITORING_VIEWS = {
  active_executions: {
    view: `${S}.active_executions`,
    filters: ['definition_workflow_id', 'status'],
    order: ['definition_workflow_id', 'definition_version', 'status'],
  },
  execution_performance: {
    view: `${S}.execution_performance`,
    filters: ['definition_workflow_id', 'definition_version'],
    order: ['definition_workflow_id', 'definition_version'],
  },
  task_performance: {
    view: `${S}.task_performance`,
    filters: ['task_id', 'step_type'],
    order: ['task_id', 'step_type'],
  },
  storage_usage: {
    view: `${S}.storage_usage`,
    filters: ['schema_name'],
    order: ['schema_name', 'table_name'],
  },
} as const;

/** Which monitoring view. */
export type MonitoringView = keyof typeof MONITORING_VIEWS;

/** A row of a monitoring view (columns vary by view). */
export type MonitoringRow = Record<string, unknown>;

/**
 * Up to `limit` rows of a monitoring view in its order, with `column = value` for every defined entry of
 * `equals` whose column the view can be filtered by (other entries are ignored).
 */
export async function listMonitoringView(
  db: Db,
  name: MonitoringView,
  equals: Record<string, unknown>,
  limit: number,
): Promise<MonitoringRow[]> {
  const { view, filters, order } = MONITORING_VIEWS[name];
  const q = db(view).select('*');
  for (const column of filters as readonly string[]) if (equals[column] !== undefined) q.where(column, equals[column]);
  for (const column of order) q.orderBy(column, 'asc', 'first');
  return (await q.limit(limit)) as MonitoringRow[];
}

/** A metric sample to store in observability_metrics (name cut to its column size). */
export interface MetricRowInput {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  value: number;
  unit: string | null;
  labels: Record<string, string | number>;
  recorded_at: string;
}

/** Stores metric samples with one multi-row INSERT (one parameter: the rows as a JSON array). */
export async function insertMetrics(db: Db, rows: readonly MetricRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows).replace(/(?<!\\)\\u0000/g, '');
  await db.raw(
    `INSERT INTO ${S}.observability_metrics (name, type, value, unit, labels, recorded_at)
     SELECT r.name, r.type, r.value, r.unit, COALESCE(r.labels, '{}'), r.recorded_at
       FROM jsonb_to_recordset(?::jsonb) AS r(name text, type text, value double precision, unit text,
              labels jsonb, recorded_at timestamptz)`,
    [json],
  );
}

/** A span to store in observability_traces (strings already cut to their column sizes). */
export interface SpanRowInput {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  service: string | null;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  status: 'unset' | 'ok' | 'error';
  started_at: string;
  ended_at: string;
  duration_ms: number;
  temporal_workflow_id: string | null;
  /** A uuid, or null: then the run whose temporal_workflow_id matches, if any, fills it. */
  workflow_instance_id: string | null;
  attributes: Record<string, unknown>;
  events: unknown[];
}

/**
 * Stores spans with one multi-row INSERT (one parameter: the rows as a JSON array). A span already stored (the
 * same trace and span id: a workflow task re-run after a worker crash exports its deterministic spans again) is
 * skipped: `ON CONFLICT DO NOTHING` without a conflict target applies to whatever unique index the table has,
 * `(trace_id, span_id)` or a time-partitioned table's `(trace_id, span_id, started_at)`, and is a plain insert
 * when there is none. A span naming a Temporal workflow but no run gets the run of that workflow id.
 */
export async function insertSpans(db: Db, rows: readonly SpanRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows).replace(/(?<!\\)\\u0000/g, '');
  await db.raw(
    `INSERT INTO ${S}.observability_traces
       (trace_id, span_id, parent_span_id, name, service, kind, status, started_at, ended_at, duration_ms,
        temporal_workflow_id, workflow_instance_id, attributes, events)
     SELECT r.trace_id, r.span_id, r.parent_span_id, r.name, r.service, r.kind, r.status, r.started_at, r.ended_at,
            r.duration_ms, r.temporal_workflow_id, COALESCE(r.workflow_instance_id, wi.id),
            COALESCE(r.attributes, '{}'), COALESCE(r.events, '[]')
       FROM jsonb_to_recordset(?::jsonb) AS r(trace_id text, span_id text, parent_span_id text, name text,
              service text, kind text, status text, started_at timestamptz, ended_at timestamptz, duration_ms int,
              temporal_workflow_id text, workflow_instance_id uuid, attributes jsonb, events jsonb)
       LEFT JOIN workflow_orchestrator_service.workflow_instances wi
         ON r.workflow_instance_id IS NULL AND wi.temporal_workflow_id = r.temporal_workflow_id
     ON CONFLICT DO NOTHING`,
    [json],
  );
}
