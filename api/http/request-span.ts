/**
 * The SERVER span of each API request, `METHOD /route/pattern`, child of the caller's `traceparent` when it sends
 * one. Its context is made active for the rest of the handling (body parsing included: AsyncLocalStorage follows
 * the request's stream events), so spans the handler starts (event ingest, ...) are its children and log lines carry
 * its ids.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { contextFromTraceparent, SpanAttr, SpanKind, tracer } from '../../common/telemetry';

const spans = new WeakMap<ServerResponse, Span>();
const contexts = new WeakMap<ServerResponse, Context>();

/** Starts the request's span (ended when the response finishes or the connection closes). */
export function startRequestSpan(req: IncomingMessage, res: ServerResponse, requestId: string): void {
  const parent = contextFromTraceparent(req.headers.traceparent, req.headers.tracestate) ?? ROOT_CONTEXT;
  const method = req.method ?? 'HTTP';
  const path = (req.url ?? '/').split('?')[0];
  const span = tracer().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'url.path': path, [SpanAttr.requestId]: requestId },
    },
    parent,
  );
  // Tracing off (no provider): nothing to record and no context to carry.
  if (!span.isRecording() && parent === ROOT_CONTEXT) return;
  const ctx = trace.setSpan(parent, span);
  spans.set(res, span);
  contexts.set(res, ctx);
  const end = () => {
    if (!spans.delete(res)) return;
    const route = routeOf(req);
    if (route) {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
    }
    if (res.writableFinished) {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
    } else span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the answer was sent' });
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
}

/** Runs `fn` in the request's trace context (as is when the request has none). */
export function withRequestContext<T>(res: ServerResponse, fn: () => T): T {
  const ctx = contexts.get(res);
  return ctx ? context.with(ctx, fn) : fn();
}

/** Adds attributes (e.g. the caller's user id) to the request's span, if it has one. */
export function setRequestSpanAttributes(res: ServerResponse, attributes: Record<string, string | number>): void {
  spans.get(res)?.setAttributes(attributes);
}

/** Sets the route pattern of a request the fast route serves (Express requests get theirs from the router). */
export function setRequestRoute(req: IncomingMessage, route: string): void {
  (req as { aosRoute?: string }).aosRoute = route;
}

/** The matched route's pattern (`/api/v1/workflows/:id`), or undefined when no route matched. */
function routeOf(req: IncomingMessage): string | undefined {
  const r = req as { aosRoute?: string; baseUrl?: string; route?: { path?: unknown } };
  if (r.aosRoute) return r.aosRoute;
  return typeof r.route?.path === 'string' ? `${r.baseUrl ?? ''}${r.route.path}` : undefined;
}
