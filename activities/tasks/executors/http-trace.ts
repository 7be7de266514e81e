/**
 * Tracing of the `http` and `integration` tasks' outbound calls: a CLIENT span `HTTP <METHOD>` per request sent
 * (each redirect hop is a request of its own, `http.request.resend_count` > 0), and the W3C `traceparent` (and
 * `tracestate`) of that span in the request's headers, so the far end's spans join the task's trace. A request
 * whose headers already hold a `traceparent` (set by the task definition) is sent as defined: the definition
 * decides where its calls belong. The span never records the URL's credentials or query values, nor the
 * request's or the error's text (a failure names its kind only, as the task's failure does).
 */
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { traceHeaders, tracer } from '../../../common/telemetry';
import type { HttpClient } from '../egress/client';

/** Placeholder of a redacted URL part (as OpenTelemetry's HTTP conventions spell it). */
export const REDACTED = 'REDACTED';

/** The URL as a span may show it: user and password replaced, every query value replaced, no fragment. */
export function redactedUrl(url: URL): string {
  const u = new URL(url.toString());
  if (u.username) u.username = REDACTED;
  if (u.password) u.password = REDACTED;
  u.hash = '';
  const keys = [...u.searchParams.keys()];
  u.search = keys.length > 0 ? `?${keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&')}` : '';
  return u.toString();
}

/** The kind of a failed request: the node error code (ECONNREFUSED, ...) or the error's name (TimeoutError, ...). */
function errorType(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: unknown } | undefined;
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === 'string') return code;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

function fail(span: Span, type: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/**
 * Wraps one call's client (one wrapper per task call: it counts the call's hops) so that every request it sends
 * is a CLIENT span, child of the active context, and carries that span's trace context.
 */
export function tracedClient(client: HttpClient): HttpClient {
  let hops = 0;
  return (url, init) => {
    const u = new URL(url);
    const method = init.method.toUpperCase();
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    const attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_FULL]: redactedUrl(u),
      [ATTR_URL_SCHEME]: u.protocol.replace(/:$/, ''),
      [ATTR_SERVER_ADDRESS]: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      [ATTR_SERVER_PORT]: port,
      ...(hops > 0 && { [ATTR_HTTP_REQUEST_RESEND_COUNT]: hops }),
    };
    hops++;
    const span = tracer().startSpan(`HTTP ${method}`, { kind: SpanKind.CLIENT, attributes });
    const own = Object.keys(init.headers).some((k) => k.toLowerCase() === 'traceparent');
    const headers = own ? init.headers : { ...init.headers, ...traceHeaders(trace.setSpan(context.active(), span)) };
    return client(url, { ...init, headers }).then(
      (res) => {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.status);
        // A client span is in error for 4xx and 5xx answers (OpenTelemetry HTTP conventions).
        if (res.status >= 400) fail(span, String(res.status));
        span.end();
        return res;
      },
      (err: unknown) => {
        fail(span, errorType(err));
        span.end();
        throw err;
      },
    );
  };
}
