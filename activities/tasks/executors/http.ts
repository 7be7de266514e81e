/**
 * `http` executor. Config (every string may be a `{% %}` template over `$input`):
 * `method` (GET), `url`, `headers`, `query`, `body`, `expected_status` (["2xx"]), `timeout` (per request),
 * `response` (a template over `$response` = { status, headers, body } and `$input`; default `$response`).
 * Every request sent is traced and carries the task's `traceparent` unless `headers` sets one (http-trace.ts).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { tryParseDuration } from '../../../common/definitions/duration';
import { FailureType } from '../../../common/errors';
import { isEgressDenied, type HttpClient } from '../egress/client';
import { sendFollowingRedirects, type OutgoingRequest } from '../egress/redirects';
import { createScrubber, secretsOfHeaders } from '../egress/scrub';
import { nonRetryable, retryable } from '../failures';
import { render } from '../template';
import type { TaskExecution, TaskExecutor } from '../types';
import { tracedClient } from './http-trace';
import { statusMatches, unexpectedStatus, type StatusSpec } from './http-status';

export type { HttpClient } from '../egress/client';

const HEARTBEAT_EVERY_MS = 1_000;

/** One HTTP call: an `http`-shaped config, the bindings its templates see, and what is added untemplated. */
export interface HttpCall {
  config: Record<string, unknown>;
  /** Template bindings (`input`, and `config` for integrations); `response` is added for the response template. */
  bindings: Record<string, unknown>;
  /** Label for error messages. */
  where: string;
  /** Prefix of the rendered `url` (integrations: the instance's base_url; never templated). */
  baseUrl?: string;
  /** Headers set after rendering (auth): never templated, never logged, never in a failure message. */
  secretHeaders?: Record<string, string>;
  /** Checks the response (status accepted) before the `response` template: OpenAPI response schemas. */
  checkResponse?: (response: HttpResponse) => void;
}

/** `$response`: what a call answered. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function joinUrl(base: string | undefined, path: unknown): unknown {
  if (base === undefined) return path;
  return `${base.replace(/\/+$/, '')}/${String(path ?? '').replace(/^\/+/, '')}`;
}

async function buildRequest({
  config: c,
  bindings,
  where,
  baseUrl,
  secretHeaders,
}: HttpCall): Promise<OutgoingRequest> {
  const r = (await render(
    { method: c.method ?? 'GET', url: c.url, headers: c.headers ?? {}, query: c.query, body: c.body },
    bindings,
    where,
  )) as Record<string, unknown>;
  r.url = joinUrl(baseUrl, r.url);
  if (typeof r.url !== 'string' || !/^https?:\/\//.test(r.url)) {
    throw nonRetryable(
      FailureType.BadTaskConfig,
      `${where}/url: must render to an absolute http(s) URL, got ${JSON.stringify(r.url)}`,
    );
  }
  const url = new URL(r.url);
  for (const [k, v] of Object.entries((r.query as Record<string, unknown>) ?? {}))
    if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((r.headers as Record<string, unknown>) ?? {}))
    if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  let body: string | undefined;
  if (r.body !== undefined && r.body !== null) {
    body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    if (typeof r.body !== 'string') headers['content-type'] ??= 'application/json';
  }
  for (const [k, v] of Object.entries(secretHeaders ?? {})) headers[k.toLowerCase()] = v;
  return { method: String(r.method).toUpperCase(), url: url.toString(), headers, body };
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  if (/[/+]json\b/i.test(res.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text);
    } catch {
      return text; // a server lying about its content type should not fail the task
    }
  }
  return text;
}

/**
 * A refused destination, or a connection that failed: the message names the request, never the address it
 * resolved to nor why the connection failed (refused, reset, unreachable), so a task cannot map a network.
 */
function networkFailure(
  err: unknown,
  where: string,
  req: { method: string; url: string },
  timeoutMs: number | undefined,
): ApplicationFailure {
  if (isEgressDenied(err)) {
    return nonRetryable(
      FailureType.EgressDenied,
      `${where}: ${req.method} ${req.url} refused: the egress policy does not allow this destination (EGRESS_ALLOW)`,
    );
  }
  if ((err as Error).name === 'TimeoutError')
    return retryable(FailureType.HttpTimeout, `${where}: ${req.method} ${req.url} timed out after ${timeoutMs}ms`);
  return retryable(
    FailureType.HttpNetworkError,
    `${where}: ${req.method} ${req.url} failed: no answer could be obtained`,
  );
}

/**
 * Sends one call: egress policy and redirects, cancellation, per-request timeout, heartbeats, status mapping
 * (5xx/429 retryable), response template; credentials echoed by the far end are scrubbed from the output and
 * from every failure.
 */
export async function executeHttpCall(client: HttpClient, exec: TaskExecution, call: HttpCall): Promise<unknown> {
  const scrubber = createScrubber(secretsOfHeaders(Object.values(call.secretHeaders ?? {})));
  try {
    return scrubber.value(await send(client, exec, call));
  } catch (err) {
    throw scrubber.failure(err);
  }
}

async function send(
  client: HttpClient,
  { signal, heartbeat, logger }: TaskExecution,
  call: HttpCall,
): Promise<unknown> {
  const { config, where } = call;
  const req = await buildRequest(call);
  const timeoutMs = tryParseDuration(config.timeout);
  // Cancellation (or a heartbeat timeout) aborts the request; so does the per-request timeout.
  const signals = [signal, ...(timeoutMs ? [AbortSignal.timeout(timeoutMs)] : [])];
  const beat = setInterval(() => heartbeat({ waitingFor: req.url }), HEARTBEAT_EVERY_MS);
  let res: Response;
  let url: string;
  let body: unknown;
  try {
    const secretHeaders = Object.keys(call.secretHeaders ?? {});
    // Each request sent (redirect hops included) is a CLIENT span and carries its traceparent (http-trace.ts).
    ({ res, url } = await sendFollowingRedirects(tracedClient(client), req, {
      signal: AbortSignal.any(signals),
      secretHeaders,
      where,
    }));
    body = await readBody(res);
  } catch (err) {
    if (signal.aborted) throw new CancelledFailure(`${req.method} ${req.url} cancelled`);
    if (err instanceof ApplicationFailure) throw err;
    // The cause stays in the worker's log, for operators; the failure (history, task_instances) gets none of it.
    logger.debug(
      {
        method: req.method,
        url: req.url,
        err: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message,
      },
      'http task request failed',
    );
    throw networkFailure(err, where, req, timeoutMs);
  } finally {
    clearInterval(beat);
  }
  logger.debug({ method: req.method, url, status: res.status }, 'http task response');
  if (!statusMatches(res.status, config.expected_status as StatusSpec[] | undefined)) {
    throw unexpectedStatus(where, req.method, url, res, body);
  }
  const response: HttpResponse = { status: res.status, headers: Object.fromEntries(res.headers.entries()), body };
  call.checkResponse?.(response);
  if (config.response === undefined) return response;
  return render(config.response, { ...call.bindings, response }, `${where}/response`);
}

/** Builds the executor over an HTTP client (in the worker: the egress client, see egress/client.ts). */
export function httpExecutor(client: HttpClient): TaskExecutor {
  return (exec) => {
    const { task, input } = exec;
    return executeHttpCall(client, exec, {
      config: task.config,
      bindings: { input },
      where: `task ${task.task_id}@${task.version} config`,
    });
  };
}
