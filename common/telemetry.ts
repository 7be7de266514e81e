/**
 * Tracing helpers shared by the API, the services and the activities (Node side only; workflow code uses
 * `@opentelemetry/api` through Temporal's interceptors, see workflows/tracing.ts). Everything here goes through
 * the OpenTelemetry API: with no tracer provider registered (tracing off, unit tests) spans are no-ops and cost
 * nearly nothing.
 *
 * Trace context crosses the platform in W3C `traceparent` form: on `POST /events` (header or
 * `metadata.traceparent`), in a stored event's `metadata.traceparent` (so the runs an event starts or resumes are
 * its children), on the `http` task's outbound requests, and in Temporal headers (the interceptors).
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export { SpanKind, type Context, type Span } from '@opentelemetry/api';

/** The instrumentation scope of the platform's own spans. */
export const TRACER_NAME = 'aos';

/**
 * Span attributes the PostgreSQL exporter lifts into columns of observability_traces (and the log sink into
 * observability_logs): set them on spans that concern one run.
 */
export const SpanAttr = {
  instanceId: 'aos.workflow_instance_id',
  /** Same key as Temporal's interceptors use, so their spans fill the column too. */
  temporalWorkflowId: 'temporalWorkflowId',
  definitionId: 'aos.workflow_definition_id',
  stepId: 'aos.step_id',
  stepType: 'aos.step_type',
  taskType: 'aos.task_type',
  eventId: 'aos.event_id',
  eventPattern: 'aos.event_pattern',
  requestId: 'aos.request_id',
  userId: 'enduser.id',
} as const;

/** W3C traceparent: version-traceid-spanid-flags. */
export const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';
const TRACE_ID = /^[0-9a-f]{32}$/;

const propagator = new W3CTraceContextPropagator();
const setter = { set: (carrier: Record<string, string>, key: string, value: string) => (carrier[key] = value) };
const getter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
};

/** The platform's tracer (a no-op one while no provider is registered). */
export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Options of {@link withSpan}. */
export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent (default: the active context). */
  parent?: Context;
  /** Spans this one is related to without being their child (e.g. the batch that handled it). */
  links?: Link[];
}

/**
 * Runs `fn` in a new active span and ends it when `fn` settles; a throw marks the span as an error (with the
 * exception recorded) and is rethrown.
 */
export async function withSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = opts.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    {
      kind: opts.kind ?? SpanKind.INTERNAL,
      ...(opts.attributes && { attributes: opts.attributes }),
      ...(opts.links && { links: opts.links }),
    },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        markError(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks `span` as failed by `err`. */
export function markError(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** The W3C headers (`traceparent`, maybe `tracestate`) of `ctx`, or {} when it holds no valid span. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, setter);
  return carrier;
}

/** The `traceparent` of `ctx` (default: the active context), or undefined when there is no valid span. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  return traceHeaders(ctx).traceparent;
}

/** A context whose remote parent is `traceparent` (with `tracestate`), or undefined when it is not valid. */
export function contextFromTraceparent(traceparent: unknown, tracestate?: unknown): Context | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const carrier: Record<string, string> = { traceparent };
  if (typeof tracestate === 'string') carrier.tracestate = tracestate;
  const ctx = propagator.extract(ROOT_CONTEXT, carrier, getter);
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

/**
 * The parent context an event carries in its metadata: `traceparent` (W3C, preferred), else `traceId` when it is
 * a 32-hex trace id (the parent span is then unknown: a synthetic remote span of that trace, so what follows the
 * event still lands in the caller's trace). Undefined when neither is usable.
 */
export function contextOfEventMetadata(metadata: unknown): Context | undefined {
  if (!metadata || typeof metadata !== 'object') return undefined;
  const m = metadata as { traceparent?: unknown; tracestate?: unknown; traceId?: unknown };
  const fromParent = contextFromTraceparent(m.traceparent, m.tracestate);
  if (fromParent) return fromParent;
  if (typeof m.traceId !== 'string' || !TRACE_ID.test(m.traceId) || /^0+$/.test(m.traceId)) return undefined;
  const spanId = randomSpanId();
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: m.traceId,
    spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** The active span's trace and span ids (for log lines), or undefined outside any valid span. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const sc = trace.getSpanContext(context.active());
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { traceId: sc.traceId, spanId: sc.spanId };
}

function randomSpanId(): string {
  let id = '';
  while (id.length < 16)
    id += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return /^0+$/.test(id) ? '0000000000000001' : id.slice(0, 16);
}
