/**
 * The `http` task's outbound calls are CLIENT spans in the task's trace and carry its traceparent, against a
 * local server on 127.0.0.1 through the real egress client (the egress policy stays in force).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../../../common/logger';
import { withSpan } from '../../../common/telemetry';
import { installTestTracing, type TestTracing } from '../../../test/helpers/in-memory-tracing';
import { createEgressClient } from '../egress/client';
import { createEgressPolicy } from '../egress/policy';
import type { TaskExecution } from '../types';
import { executeHttpCall, httpExecutor } from './http';
import { redactedUrl } from './http-trace';

let tracing: TestTracing;
let server: Server;
let port: number;
const hits: IncomingMessage[] = [];

beforeAll(async () => {
  tracing = installTestTracing();
  server = createServer((req, res) => {
    hits.push(req);
    if (req.url?.startsWith('/hop')) {
      res.writeHead(302, { location: '/ok' });
      return res.end();
    }
    res.writeHead(req.url?.startsWith('/fail') ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => {
    server.closeAllConnections();
    server.close(r);
  });
  await tracing.shutdown();
});

const client = () => createEgressClient(createEgressPolicy(`127.0.0.1:${port}`));

function execution(config: Record<string, unknown>): TaskExecution {
  return {
    task: { task_id: 'call', version: '1.0.0', type: 'http', config } as unknown as TaskExecution['task'],
    input: {},
    ctx: {} as TaskExecution['ctx'],
    attempt: 1,
    logger: createLogger({ level: 'silent' }),
    signal: new AbortController().signal,
    heartbeat: () => undefined,
  };
}

/** Runs the task inside a span standing in for the task attempt's; returns that span's ids and the error if any. */
async function runInTaskSpan(config: Record<string, unknown>, http = client()) {
  let error: unknown;
  const ids = await withSpan('task attempt', {}, async (span) => {
    await httpExecutor(http)(execution(config)).catch((e: unknown) => (error = e));
    return span.spanContext();
  });
  return { ...ids, error };
}

const childrenOf = (spanId: string): ReadableSpan[] => tracing.spans().filter((s) => s.parentSpanId === spanId);
const parse = (tp: unknown) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(tp));

describe('http task tracing', () => {
  it('sends the traceparent of its CLIENT span, a child of the task span, to the server', async () => {
    const before = hits.length;
    const task = await runInTaskSpan({
      method: 'post',
      url: `http://127.0.0.1:${port}/orders?token=s3cret&page=2`,
      body: { a: 1 },
    });
    expect(task.error).toBeUndefined();
    const got = parse(hits[before]!.headers.traceparent);
    expect(got?.[1]).toBe(task.traceId);
    const [call] = childrenOf(task.spanId);
    expect(call).toBeDefined();
    expect(got?.[2]).toBe(call!.spanContext().spanId);
    expect(call!.name).toBe('HTTP POST');
    expect(call!.kind).toBe(SpanKind.CLIENT);
    expect(call!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': `http://127.0.0.1:${port}/orders?token=REDACTED&page=REDACTED`,
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.response.status_code': 200,
    });
    expect(call!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('keeps a traceparent header the definition sets, and still records its span', async () => {
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const before = hits.length;
    const task = await runInTaskSpan({ url: `http://127.0.0.1:${port}/own`, headers: { TraceParent: own } });
    expect(task.error).toBeUndefined();
    expect(hits[before]!.headers.traceparent).toBe(own);
    expect(childrenOf(task.spanId).map((s) => s.name)).toEqual(['HTTP GET']);
  });

  it('traces each redirect hop as its own request with its own traceparent', async () => {
    const before = hits.length;
    const task = await runInTaskSpan({ url: `http://127.0.0.1:${port}/hop` });
    expect(task.error).toBeUndefined();
    const spans = childrenOf(task.spanId);
    expect(spans.map((s) => s.attributes['http.response.status_code'])).toEqual([302, 200]);
    expect(spans[1]!.attributes['http.request.resend_count']).toBe(1);
    const sent = hits.slice(before).map((h) => parse(h.headers.traceparent)?.[2]);
    expect(sent).toEqual(spans.map((s) => s.spanContext().spanId));
  });

  it('marks the span as an error for a 5xx answer', async () => {
    const task = await runInTaskSpan({ url: `http://127.0.0.1:${port}/fail` });
    expect(task.error).toBeDefined();
    const [call] = childrenOf(task.spanId);
    expect(call!.status.code).toBe(SpanStatusCode.ERROR);
    expect(call!.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
  });

  it('sends nothing to a destination the egress policy refuses; the span records the refusal', async () => {
    const before = hits.length;
    const denied = createEgressClient(createEgressPolicy('127.0.0.2'));
    const task = await runInTaskSpan({ url: `http://127.0.0.1:${port}/secret` }, denied);
    expect(task.error).toBeDefined();
    expect(hits.length).toBe(before);
    const [call] = childrenOf(task.spanId);
    expect(call!.status.code).toBe(SpanStatusCode.ERROR);
    expect(call!.attributes['error.type']).toBe('EgressDeniedError');
  });

  it('marks a timed-out request with its kind, never its text', async () => {
    const slow = createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowPort = (slow.address() as AddressInfo).port;
    try {
      const http = createEgressClient(createEgressPolicy(`127.0.0.1:${slowPort}`));
      const task = await runInTaskSpan({ url: `http://127.0.0.1:${slowPort}/slow`, timeout: '100ms' }, http);
      expect(task.error).toBeDefined();
      const [call] = childrenOf(task.spanId);
      expect(call!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TimeoutError' });
      expect(call!.events).toEqual([]);
    } finally {
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  it('traces an integration call the same way, its credentials sent but never recorded', async () => {
    const before = hits.length;
    const { spanId, traceId } = await withSpan('task attempt', {}, async (span) => {
      await executeHttpCall(client(), execution({}), {
        config: { method: 'GET', url: 'items/7' },
        bindings: { input: {} },
        where: 'integration',
        baseUrl: `http://127.0.0.1:${port}/api`,
        secretHeaders: { 'X-API-Key': 'k3y-s3cret' },
      });
      return span.spanContext();
    });
    expect(hits[before]!.headers['x-api-key']).toBe('k3y-s3cret');
    expect(parse(hits[before]!.headers.traceparent)?.[1]).toBe(traceId);
    const [call] = childrenOf(spanId);
    expect(call!.attributes['url.full']).toBe(`http://127.0.0.1:${port}/api/items/7`);
    expect(JSON.stringify([call!.attributes, call!.events, call!.status])).not.toContain('k3y-s3cret');
  });

  it('redacts credentials and query values of url.full', () => {
    expect(redactedUrl(new URL('https://u:p@api.test:8443/a/b?key=1&key=2&x=y#frag'))).toBe(
      'https://REDACTED:REDACTED@api.test:8443/a/b?key=REDACTED&key=REDACTED&x=REDACTED',
    );
    expect(redactedUrl(new URL('http://api.test/plain'))).toBe('http://api.test/plain');
  });
});
