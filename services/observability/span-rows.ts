/**
 * Maps an ended OpenTelemetry span to an observability_traces row: ids, kind and status as the table's words,
 * times as ISO strings, the run's ids lifted into columns, attributes and events bounded in size (a span must
 * never make its batch too large to write).
 */
import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '../../common/telemetry';
import type { SpanRowInput } from '../../db/repositories/observability';

const KINDS: Record<SpanKind, SpanRowInput['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};
const STATUSES: Record<SpanStatusCode, SpanRowInput['status']> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Most bytes (JSON) of a row's attributes; past it the remaining attributes are left out. */
export const MAX_ATTRIBUTES_JSON = 8192;
/** Longest string attribute value kept (longer ones are cut). */
export const MAX_ATTRIBUTE_VALUE = 1024;
/** Most events kept per span (the first ones). */
export const MAX_EVENTS = 32;

/**
 * Fields of Temporal's WorkflowInfo that its workflow span exporter copies into every workflow span's attributes
 * and that say nothing about the span (the run's ids and type are kept).
 */
const WORKFLOW_INFO_NOISE = new Set([
  'historyLength',
  'historySize',
  'continueAsNewSuggested',
  'continuedFromExecutionRunId',
  'firstExecutionRunId',
  'originalExecutionRunId',
  'targetWorkerDeploymentVersionChanged',
  'executionTimeoutMs',
  'runTimeoutMs',
  'taskTimeoutMs',
  'cronSchedule',
  'cronScheduleToScheduleInterval',
  'currentBuildId',
  'unsafe',
  'startTime',
  'runStartTime',
  'executionExpirationTime',
]);

/** Maps `span` to a row (service from its resource's `service.name`). */
export function spanToRow(span: ReadableSpan): SpanRowInput {
  const ctx = span.spanContext();
  const attrs = span.attributes;
  const service = span.resource?.attributes['service.name'];
  const workflowId = attrs[SpanAttr.temporalWorkflowId] ?? attrs.workflowId;
  const instanceId = attrs[SpanAttr.instanceId];
  const duration = hrToMs(span.duration);
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: span.parentSpanId || null,
    name: span.name.slice(0, 255),
    service: typeof service === 'string' ? service.slice(0, 100) : null,
    kind: KINDS[span.kind] ?? 'internal',
    status: STATUSES[span.status.code] ?? 'unset',
    started_at: hrToIso(span.startTime),
    ended_at: hrToIso(span.endTime),
    duration_ms: Number.isFinite(duration) ? Math.max(0, Math.round(duration)) : 0,
    temporal_workflow_id: typeof workflowId === 'string' ? workflowId.slice(0, 255) : null,
    workflow_instance_id: typeof instanceId === 'string' && UUID.test(instanceId) ? instanceId : null,
    attributes: boundedAttributes(attrs, span.status.message),
    events: span.events.slice(0, MAX_EVENTS).map((e) => ({
      name: e.name.slice(0, 255),
      time: hrToIso(e.time),
      ...(e.attributes && { attributes: boundedAttributes(e.attributes) }),
    })),
  };
}

/** Primitive attributes (and arrays of them) up to {@link MAX_ATTRIBUTES_JSON}; the status message as `status.message`. */
function boundedAttributes(attrs: Record<string, unknown>, statusMessage?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let size = 2;
  const entries = Object.entries(attrs);
  if (statusMessage) entries.unshift(['status.message', statusMessage]);
  for (const [key, raw] of entries) {
    if (WORKFLOW_INFO_NOISE.has(key)) continue;
    const value = bounded(raw);
    if (value === undefined) continue;
    const cost = JSON.stringify(key).length + JSON.stringify(value).length + 2;
    if (size + cost > MAX_ATTRIBUTES_JSON) {
      out['aos.attributes_truncated'] = true;
      break;
    }
    out[key] = value;
    size += cost;
  }
  return out;
}

function bounded(value: unknown): unknown {
  if (typeof value === 'string') return value.slice(0, MAX_ATTRIBUTE_VALUE);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)))
    return value.slice(0, 64).map((v) => (typeof v === 'string' ? v.slice(0, MAX_ATTRIBUTE_VALUE) : v));
  return undefined;
}

function hrToMs(t: HrTime): number {
  return t[0] * 1000 + t[1] / 1e6;
}

function hrToIso(t: HrTime): string {
  return new Date(Math.round(hrToMs(t))).toISOString();
}
