/**
 * The observability queries: log search (run, trace, step, request, levels, time range, text), a trace as a span
 * tree (`/observability/traces/{id}` with a trace id; a span row id still answers that span), and metric series
 * by name, labels and time range. Declared before the generic `/observability/*` routes, so
 * `/observability/metrics/series` is not taken for a sample id.
 */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../common/errors';
import { observabilityOrNotFound } from '../../services/observability';
import { checkRange, findLogs, LOG_LEVELS } from '../../services/observability/log-search';
import { metricSeries, parseLabels } from '../../services/observability/metric-series';
import { getTraceTree } from '../../services/observability/trace-tree';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type JsonSchema, type RouteDefinition } from '../http/route';
import { Enum, Uuid } from '../http/schema';
import { problem } from './engine-schemas';

const P = 'observability:read';
const str = (max = 255) => Type.String({ minLength: 1, maxLength: max });
const instant = (description: string) => Type.String({ format: 'date-time', description });
const LEVEL = `(${LOG_LEVELS.join('|')})`;
/** A W3C trace id: 32 hex digits (answered and stored lowercase). */
export const TRACE_ID = '^[0-9a-fA-F]{32}$';

/** The response schemas the query routes answer with (the generic routes' items, passed in). */
export interface ObservabilityItems {
  log: JsonSchema;
  span: JsonSchema;
}

const later = (a?: string, b?: string) => (a && b ? (Date.parse(a) >= Date.parse(b) ? a : b) : (a ?? b));
const earlier = (a?: string, b?: string) => (a && b ? (Date.parse(a) <= Date.parse(b) ? a : b) : (a ?? b));

function logsRoute(log: JsonSchema): RouteDefinition {
  return defineRoute({
    method: 'get',
    path: '/observability/logs',
    operationId: 'listObservabilityLogs',
    summary: 'Search log lines, newest first: by run, trace, step, request, level, time range and text',
    tags: ['observability'],
    permission: P,
    query: listQuery(
      {},
      {
        level: Type.String({
          pattern: `^${LEVEL}(,${LEVEL})*$`,
          description: 'Exactly these levels: one, or a comma-separated list (`warn,error`)',
        }),
        min_level: Enum(LOG_LEVELS, { description: 'This level and above (`warn`: warn, error, fatal)' }),
        service: str(100),
        request_id: str(),
        workflow_id: Type.String({ minLength: 1, maxLength: 255, description: 'Temporal workflow id' }),
        workflow_instance_id: Uuid({ description: 'The run' }),
        step_id: str(),
        trace_id: str(64),
        from: instant('At or after this instant (RFC 3339)'),
        to: instant('Before this instant (RFC 3339)'),
        q: Type.String({
          minLength: 1,
          maxLength: 200,
          description: 'Case-insensitive substring of the message; `%` and `_` match themselves',
        }),
      },
    ),
    responses: { 200: { description: 'A page of log lines', schema: pageSchema(log) }, 400: problem },
    handler: async ({ deps, query }) => {
      const equals = {
        service: query.service,
        request_id: query.request_id,
        temporal_workflow_id: query.workflow_id,
        workflow_instance_id: query.workflow_instance_id,
        step_id: query.step_id,
        trace_id: query.trace_id,
      };
      const page = await findLogs(
        deps.db,
        {
          equals,
          level: query.level,
          minLevel: query.min_level,
          from: later(query.from, query.created_after),
          to: earlier(query.to, query.created_before),
          text: query.q,
        },
        query,
      );
      return { body: toPage(page) };
    },
  });
}

function traceRoute({ span }: ObservabilityItems): RouteDefinition {
  const node = {
    type: 'object',
    required: [...(span.required as string[]), 'orphan', 'children'],
    properties: {
      ...(span.properties as object),
      orphan: { type: 'boolean', description: 'Its parent span is not stored: shown as a root' },
      children: { type: 'array', items: { type: 'object' }, description: 'Spans under it (the same shape), by start' },
    },
  };
  const tree = {
    type: 'object',
    required: ['trace_id', 'roots', 'totals', 'truncated'],
    properties: {
      trace_id: { type: 'string' },
      roots: { type: 'array', items: node },
      totals: {
        type: 'object',
        required: ['span_count', 'started_at', 'ended_at', 'duration_ms', 'services', 'error_count'],
        properties: {
          span_count: { type: 'integer' },
          started_at: { type: 'string', format: 'date-time' },
          ended_at: { type: ['string', 'null'], format: 'date-time' },
          duration_ms: { type: ['integer', 'null'] },
          services: { type: 'array', items: { type: 'string' } },
          error_count: { type: 'integer' },
        },
      },
      truncated: { type: 'boolean', description: 'More than 5000 spans: the first ones by start' },
    },
  };
  return defineRoute({
    method: 'get',
    path: '/observability/traces/:id',
    operationId: 'getObservabilityTrace',
    summary: 'A trace by its trace id (32 hex digits) as a span tree, or one span by its row id (uuid)',
    tags: ['observability'],
    permission: P,
    params: Type.Object({
      id: Type.Union([Uuid(), Type.String({ pattern: TRACE_ID })], {
        description: 'A trace id (32 hex digits): the trace as a tree; a span row id (uuid): that span',
      }),
    }),
    responses: {
      200: { description: 'The trace as a span tree, or the span', schema: { oneOf: [tree, span] } },
      400: problem,
      404: problem,
    },
    handler: async ({ deps, params }) => {
      if (new RegExp(TRACE_ID).test(params.id)) return { body: await getTraceTree(deps.db, params.id.toLowerCase()) };
      return { body: await observabilityOrNotFound(deps.db, 'traces', params.id, 'span') };
    },
  });
}

const SERIES_MAX = 10_000;

const seriesRoute: RouteDefinition = defineRoute({
  method: 'get',
  path: '/observability/metrics/series',
  operationId: 'getObservabilityMetricSeries',
  summary: 'The series of one metric: by label set, oldest point first, raw or aggregated per time bucket',
  tags: ['observability'],
  permission: P,
  query: Type.Object(
    {
      name: str(),
      labels: Type.Optional(
        Type.String({ maxLength: 2000, description: 'JSON object: only samples whose labels contain these' }),
      ),
      from: Type.Optional(instant('At or after this instant (RFC 3339)')),
      to: Type.Optional(instant('Before this instant (RFC 3339)')),
      step: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 31 * 86_400, description: 'Bucket width in seconds (epoch-aligned)' }),
      ),
      agg: Type.Optional(
        Enum(['avg', 'sum', 'min', 'max', 'count', 'last'], { description: 'Per bucket (with `step`); default avg' }),
      ),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: SERIES_MAX, default: 1000 })),
    },
    { additionalProperties: false },
  ),
  responses: {
    200: {
      description: 'The series',
      schema: {
        type: 'object',
        required: ['name', 'step_seconds', 'aggregate', 'series', 'truncated'],
        properties: {
          name: { type: 'string' },
          step_seconds: { type: ['integer', 'null'] },
          aggregate: { type: ['string', 'null'] },
          series: {
            type: 'array',
            items: {
              type: 'object',
              required: ['labels', 'points'],
              properties: {
                labels: { type: 'object' },
                points: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['at', 'value'],
                    properties: { at: { type: 'string', format: 'date-time' }, value: { type: 'number' } },
                  },
                },
              },
            },
          },
          truncated: { type: 'boolean', description: 'More than `limit` points: the oldest ones are answered' },
        },
      },
    },
    400: problem,
  },
  handler: async ({ deps, query }) => {
    checkRange(query.from, query.to);
    if (query.agg && query.step === undefined)
      throw AppError.badRequest('agg needs step', [{ pointer: '/query/agg', message: 'applies only with `step`' }]);
    const answer = await metricSeries(deps.db, {
      name: query.name,
      labels: parseLabels(query.labels),
      from: query.from,
      to: query.to,
      stepSeconds: query.step,
      agg: query.agg,
      limit: query.limit ?? 1000,
    });
    return { body: answer };
  },
});

/** The query routes; `items` are the generic routes' response items (log line, span). */
export function observabilityQueryRoutes(items: ObservabilityItems): RouteDefinition[] {
  return [logsRoute(items.log), traceRoute(items), seriesRoute];
}
