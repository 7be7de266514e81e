/**
 * Read-only access to observability_service: logs, metrics and trace spans, each filterable and
 * paginated newest first by its own time column (`created_after`/`created_before` apply to it); and the monitoring
 * views (active executions, execution and task performance, storage usage) as small filtered arrays. The log
 * search, the trace tree and metric series are in observability-queries.ts.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import {
  listMonitoring,
  listObservabilityPage,
  observabilityOrNotFound,
  observabilityTimeColumn,
  type MonitoringView,
  type ObservabilityKind,
} from '../../services/observability';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type JsonSchema, type RouteDefinition } from '../http/route';
import { Enum, Uuid } from '../http/schema';
import { observabilityQueryRoutes } from './observability-queries';

const P = 'observability:read';
const uuid = Uuid();
const str = (max = 255) => Type.String({ minLength: 1, maxLength: max });

interface Resource {
  path: string;
  kind: ObservabilityKind;
  operation: string;
  noun: string;
  /** Extra equality filters: query name -> column. */
  filters: Record<string, { column: string; schema: TSchema }>;
  statuses?: readonly string[];
  /** Response columns besides id, the time column, created_at and updated_at. */
  columns: Record<string, JsonSchema>;
  /** Declared in observability-queries.ts instead: the list (logs: a search) or the read by id (traces: a tree). */
  specialised?: 'list' | 'get';
}

const text = { type: 'string' };
const nullable = { type: ['string', 'null'] };
const nullableUuid = { type: ['string', 'null'], format: 'uuid' };
const time = { type: 'string', format: 'date-time' };

const RESOURCES: Resource[] = [
  {
    path: '/observability/logs',
    kind: 'logs',
    specialised: 'list',
    operation: 'ObservabilityLog',
    noun: 'log line',
    filters: {
      level: { column: 'level', schema: Enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']) },
      service: { column: 'service', schema: str(100) },
      request_id: { column: 'request_id', schema: str() },
      workflow_id: { column: 'temporal_workflow_id', schema: str() },
      workflow_instance_id: { column: 'workflow_instance_id', schema: uuid },
      step_id: { column: 'step_id', schema: str() },
      trace_id: { column: 'trace_id', schema: str(64) },
    },
    columns: {
      level: text,
      message: text,
      service: nullable,
      request_id: nullable,
      temporal_workflow_id: nullable,
      workflow_instance_id: nullableUuid,
      step_id: nullable,
      trace_id: nullable,
      span_id: nullable,
      attributes: { type: 'object' },
    },
  },
  {
    path: '/observability/metrics',
    kind: 'metrics',
    operation: 'ObservabilityMetric',
    noun: 'metric sample',
    filters: {
      name: { column: 'name', schema: str() },
      type: { column: 'type', schema: Enum(['counter', 'gauge', 'histogram', 'summary']) },
    },
    columns: {
      name: text,
      type: { enum: ['counter', 'gauge', 'histogram', 'summary'] },
      value: { type: 'number' },
      unit: nullable,
      labels: { type: 'object' },
    },
  },
  {
    path: '/observability/traces',
    kind: 'traces',
    specialised: 'get',
    operation: 'ObservabilityTrace',
    noun: 'span',
    statuses: ['unset', 'ok', 'error'],
    filters: {
      trace_id: { column: 'trace_id', schema: str(64) },
      service: { column: 'service', schema: str(100) },
      name: { column: 'name', schema: str() },
      workflow_id: { column: 'temporal_workflow_id', schema: str() },
      workflow_instance_id: { column: 'workflow_instance_id', schema: uuid },
    },
    columns: {
      trace_id: text,
      span_id: text,
      parent_span_id: nullable,
      name: text,
      service: nullable,
      kind: nullable,
      status: { enum: ['unset', 'ok', 'error'] },
      ended_at: { type: ['string', 'null'], format: 'date-time' },
      duration_ms: { type: ['integer', 'null'] },
      temporal_workflow_id: nullable,
      workflow_instance_id: nullableUuid,
      attributes: { type: 'object' },
      events: { type: 'array' },
    },
  },
];

function itemOf(r: Resource): JsonSchema {
  const at = observabilityTimeColumn(r.kind);
  return {
    type: 'object',
    required: ['id', at],
    properties: { id: uuid, [at]: time, ...r.columns, created_at: time, updated_at: time },
  };
}

function routesOf(r: Resource): RouteDefinition[] {
  const item = itemOf(r);
  const extra = Object.fromEntries(Object.entries(r.filters).map(([k, f]) => [k, f.schema]));
  const routes: RouteDefinition[] = [
    defineRoute({
      method: 'get',
      path: r.path,
      operationId: `list${r.operation}s`,
      summary: `List ${r.noun}s, newest first`,
      tags: ['observability'],
      permission: P,
      query: listQuery({ status: r.statuses }, extra),
      responses: { 200: { description: `A page of ${r.noun}s`, schema: pageSchema(item) } },
      handler: async ({ deps, query }) => {
        const equals = Object.fromEntries(Object.entries(r.filters).map(([name, f]) => [f.column, query[name]]));
        return { body: toPage(await listObservabilityPage(deps.db, r.kind, { ...query, equals }, query)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${r.path}/:id`,
      operationId: `get${r.operation}`,
      summary: `Read one ${r.noun}`,
      tags: ['observability'],
      permission: P,
      params: Type.Object({ id: uuid }),
      responses: { 200: { description: `The ${r.noun}`, schema: item }, 404: { description: 'Not found' } },
      handler: async ({ deps, params }) => ({
        body: await observabilityOrNotFound(deps.db, r.kind, params.id, r.noun),
      }),
    }),
  ];
  return routes.filter((_, i) => r.specialised !== (i === 0 ? 'list' : 'get'));
}

interface Monitoring {
  path: string;
  view: MonitoringView;
  operationId: string;
  summary: string;
  /** Query filters: query name -> view column (all optional, equality). */
  filters: Record<string, { column: string; schema: TSchema }>;
  /** Every column of a row (all present, possibly null where the schema says so). */
  columns: Record<string, JsonSchema>;
}

const count = { type: 'integer', minimum: 0 };
const ms = { type: ['number', 'null'] };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const RUN_STATUS = ['queued', 'pending', 'running', 'waiting', 'paused'] as const;

const MONITORING: Monitoring[] = [
  {
    path: '/observability/active-executions',
    view: 'active_executions',
    operationId: 'listActiveExecutions',
    summary: 'Unfinished runs per definition version and status, with the oldest start',
    filters: {
      workflow_id: { column: 'definition_workflow_id', schema: str() },
      status: { column: 'status', schema: Enum(RUN_STATUS) },
    },
    columns: {
      definition_workflow_id: text,
      definition_version: text,
      status: { enum: [...RUN_STATUS] },
      executions: count,
      oldest_started_at: time,
    },
  },
  {
    path: '/observability/execution-performance',
    view: 'execution_performance',
    operationId: 'listExecutionPerformance',
    summary: 'Finished runs per definition version: counts by outcome and durations of completed runs (ms)',
    filters: {
      workflow_id: { column: 'definition_workflow_id', schema: str() },
      version: { column: 'definition_version', schema: str(50) },
    },
    columns: {
      definition_workflow_id: text,
      definition_version: text,
      total_executions: count,
      completed: count,
      failed: count,
      cancelled: count,
      avg_duration_ms: ms,
      p50_duration_ms: ms,
      p95_duration_ms: ms,
      last_completed_at: nullableTime,
    },
  },
  {
    path: '/observability/task-performance',
    view: 'task_performance',
    operationId: 'listTaskPerformance',
    summary: 'Step executions per task and step type: counts by outcome, durations (ms) and average attempts',
    filters: {
      task_id: { column: 'task_id', schema: str() },
      step_type: { column: 'step_type', schema: str(50) },
    },
    columns: {
      task_id: nullable,
      step_type: text,
      total_executions: count,
      completed: count,
      failed: count,
      avg_duration_ms: ms,
      p95_duration_ms: ms,
      avg_attempts: ms,
    },
  },
  {
    path: '/observability/storage-usage',
    view: 'storage_usage',
    operationId: 'listStorageUsage',
    summary: "Size and estimated rows of every table of the platform's schemas (partitions roll up)",
    filters: { schema: { column: 'schema_name', schema: str(63) } },
    columns: {
      schema_name: text,
      table_name: text,
      total_bytes: count,
      total_size: text,
      estimated_rows: { type: ['integer', 'null'] },
    },
  },
];

/** At most this many rows per monitoring answer (`limit`, default 100). */
const MONITORING_MAX = 1000;

function monitoringRoute(m: Monitoring): RouteDefinition {
  const item = { type: 'object', required: Object.keys(m.columns), properties: m.columns };
  const filters = Object.fromEntries(Object.entries(m.filters).map(([k, f]) => [k, Type.Optional(f.schema)]));
  return defineRoute({
    method: 'get',
    path: m.path,
    operationId: m.operationId,
    summary: m.summary,
    tags: ['observability'],
    permission: P,
    query: Type.Object(
      { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MONITORING_MAX, default: 100 })), ...filters },
      { additionalProperties: false },
    ),
    responses: {
      200: {
        description: `Rows of the ${m.view} view`,
        schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: item } } },
      },
    },
    handler: async ({ deps, query }) => {
      const q = query as Record<string, unknown>;
      const equals = Object.fromEntries(Object.entries(m.filters).map(([name, f]) => [f.column, q[name]]));
      return { body: { data: await listMonitoring(deps.db, m.view, equals, (q.limit as number | undefined) ?? 100) } };
    },
  });
}

/** `/observability/{logs,metrics,traces}` routes and the monitoring views. */
export const observabilityRoutes: RouteDefinition[] = [
  ...observabilityQueryRoutes({
    log: itemOf(RESOURCES.find((r) => r.kind === 'logs')!),
    span: itemOf(RESOURCES.find((r) => r.kind === 'traces')!),
  }),
  ...RESOURCES.flatMap(routesOf),
  ...MONITORING.map(monitoringRoute),
];
