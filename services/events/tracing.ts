/**
 * Trace context through events (docs/observability.md, "Trace context through events and HTTP"). An event's
 * ingest span is parented by the context the publisher gave (`metadata.traceparent`, else `metadata.traceId`,
 * else the request's active span), and the stored event's `metadata.traceparent` names that ingest span, so
 * its routing, and the runs routing starts or resumes, are its descendants. Only the OpenTelemetry API is used:
 * with no provider registered the spans are no-ops and a caller's traceparent is stored as given.
 */
import { context, trace, ROOT_CONTEXT, type Context, type Link } from '@opentelemetry/api';
import type { RoutingResult } from '../../common/events/delivery';
import {
  contextOfEventMetadata,
  markError,
  SpanAttr,
  SpanKind,
  traceHeaders,
  tracer,
  withSpan,
  type Span,
} from '../../common/telemetry';

/** Span names of the event paths. */
export const EventSpanName = {
  /** One event entering the platform (POST /events, the batch form, emit_event): `event.ingest <pattern>`. */
  ingest: (pattern: string) => `event.ingest ${pattern}`,
  /** One pass of the dispatcher (claims a batch and routes it). */
  dispatch: 'event.dispatch',
  /** One event's routing decision in a pass: `event.route <pattern>`. */
  route: (pattern: string) => `event.route ${pattern}`,
  /** An emit_event step publishing its event: `event.emit <pattern>`. */
  emit: (pattern: string) => `event.emit ${pattern}`,
} as const;

/** Attribute keys of the event spans, beyond {@link SpanAttr}'s `aos.event_id` and `aos.event_pattern`. */
export const EventSpanAttr = {
  /** ingest: false when the eventId was stored before (the stored event, its metadata included, is unchanged). */
  created: 'aos.event_created',
  /** route: the event's correlation value (metadata.correlationKey / correlationId). */
  correlation: 'aos.event_correlation',
  dispatcherId: 'aos.dispatcher_id',
  /** dispatch: events claimable per pass (the batch size), events claimed, and what became of them. */
  batchLimit: 'aos.dispatch.batch_limit',
  claimed: 'aos.dispatch.claimed',
  delivered: 'aos.dispatch.delivered',
  failed: 'aos.dispatch.failed',
  deadLettered: 'aos.dispatch.dead_lettered',
  full: 'aos.dispatch.full',
  /** route: the delivery attempt (1 = first) and its outcome (`delivered`, `failed`, `dead_lettered`). */
  attempt: 'aos.delivery.attempt',
  outcome: 'aos.delivery.outcome',
  isDeadLettered: 'aos.delivery.dead_lettered',
  /** route: ids of the triggers that acted (started, signalled or cancelled runs) or were skipped. */
  triggersMatched: 'aos.route.trigger_ids',
  runsStarted: 'aos.route.runs_started',
  startedWorkflowIds: 'aos.route.started_workflow_ids',
  waitsResumed: 'aos.route.waits_resumed',
  resumedWorkflowIds: 'aos.route.resumed_workflow_ids',
  runsCancelled: 'aos.route.runs_cancelled',
  cancelledWorkflowIds: 'aos.route.cancelled_workflow_ids',
  /** route: `<triggerId>: <reason>` of each trigger that matched the pattern but did not act. */
  skipped: 'aos.route.skipped',
} as const;

// A wide fan-out (hundreds of waiting runs) keeps its counts but not every id on the span.
const MAX_IDS = 50;

/** The parent of an event's ingest span: `metadata.traceparent` (+ tracestate), else `metadata.traceId`, else the active context. */
export function ingestParent(metadata: unknown): Context {
  return contextOfEventMetadata(metadata) ?? context.active();
}

/**
 * The metadata to store for an event ingested under `span`: the caller's, with `traceparent` (and `tracestate`)
 * naming the span; the caller's `traceId` is kept as given. Unchanged when the span has no valid context
 * (no provider and no parent).
 */
export function metadataWithTrace<M extends Record<string, unknown>>(
  metadata: M | undefined,
  span: Span,
): M | undefined {
  const headers = traceHeaders(trace.setSpan(ROOT_CONTEXT, span));
  if (!headers.traceparent) return metadata;
  // The span's own tracestate (inherited from its parent) replaces the caller's; none when it has none.
  const { tracestate: _stale, ...rest } = metadata ?? ({} as M);
  return { ...rest, ...headers } as unknown as M;
}

/** Starts (not active) the ingest span of one event. */
export function startIngestSpan(event: { pattern: string; metadata?: unknown }, eventId: string): Span {
  return tracer().startSpan(
    EventSpanName.ingest(event.pattern),
    { kind: SpanKind.PRODUCER, attributes: { [SpanAttr.eventId]: eventId, [SpanAttr.eventPattern]: event.pattern } },
    ingestParent(event.metadata),
  );
}

/** Ends an ingest span with what the store answered, or with the error that stopped it. */
export function endIngestSpan(span: Span, outcome: { created: boolean } | { error: unknown }): void {
  if ('error' in outcome) markError(span, outcome.error);
  else span.setAttribute(EventSpanAttr.created, outcome.created);
  span.end();
}

/** What a route span is told about the event it routes. */
export interface RoutedEvent {
  eventId: string;
  pattern: string;
  metadata: Record<string, unknown>;
}

/**
 * Runs `fn` in an active `event.route <pattern>` span whose parent is the event's stored context (its ingest
 * span) with a link to `pass` (the dispatch pass span); an event without a usable context is routed as a child
 * of `pass` instead. Starts, signals and cancels made inside join the event's trace (Temporal's client
 * interceptor reads the active context).
 */
export function withRouteSpan<T>(
  event: RoutedEvent,
  attributes: Record<string, string | number>,
  pass: Span,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const eventContext = contextOfEventMetadata(event.metadata);
  const links: Link[] = eventContext ? [{ context: pass.spanContext() }] : [];
  return withSpan(
    EventSpanName.route(event.pattern),
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: { [SpanAttr.eventId]: event.eventId, [SpanAttr.eventPattern]: event.pattern, ...attributes },
      parent: eventContext ?? trace.setSpan(context.active(), pass),
    },
    fn,
  );
}

/** Records a routing decision on its span: the triggers that matched and the runs started, resumed, cancelled. */
export function recordRouting(span: Span, out: RoutingResult): void {
  const triggers = new Set<string>();
  for (const r of [...out.started, ...out.cancelled, ...out.signalled, ...out.skipped])
    if (r.triggerId) triggers.add(r.triggerId);
  const started = out.started.filter((s) => s.started).map((s) => s.workflowId);
  span.setAttributes({
    [EventSpanAttr.triggersMatched]: [...triggers].slice(0, MAX_IDS),
    [EventSpanAttr.runsStarted]: started.length,
    [EventSpanAttr.startedWorkflowIds]: started.slice(0, MAX_IDS),
    [EventSpanAttr.waitsResumed]: out.signalled.length,
    [EventSpanAttr.resumedWorkflowIds]: out.signalled.map((s) => s.workflowId).slice(0, MAX_IDS),
    [EventSpanAttr.runsCancelled]: out.cancelled.length,
    [EventSpanAttr.cancelledWorkflowIds]: out.cancelled.map((c) => c.workflowId).slice(0, MAX_IDS),
    [EventSpanAttr.skipped]: out.skipped.map((s) => `${s.triggerId}: ${s.reason}`).slice(0, MAX_IDS),
  });
}
