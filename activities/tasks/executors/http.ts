/**
 * `http` executor. Config (every string may be a `{% %}` template over `$input`):
 * `method` (GET), `url`, `headers`, `query`, `body`, `expected_status` (["2xx"]), `timeout` (per request),
 * `response` (a template over `$response` = { status, headers, body } and `$input`; default `$response`).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { tryParseDuration } from '../../../common/definitions/duration';
import { FailureType } from '../../../common/errors';
import { nonRetryable, retryable } from '../failures';
import { render } from '../template';
import type { TaskExecution, TaskExecutor } from '../types';
import { statusMatches, unexpectedStatus, type StatusSpec } from './http-status';

/** The fetch the executor uses; tests and proxies may pass their own. */
export type HttpClient = typeof fetch;

const HEARTBEAT_EVERY_MS = 1_000;

interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

async function buildRequest({ task, input }: TaskExecution, where: string): Promise<HttpRequestSpec> {
  const c = task.config;
  const r = (await render({ method: c.method ?? 'GET', url: c.url, headers: c.headers ?? {}, query: c.query, body: c.body }, { input }, where)) as Record<string, unknown>;
  if (typeof r.url !== 'string' || !/^https?:\/\//.test(r.url)) {
    throw nonRetryable(FailureType.BadTaskConfig, `${where}/url: must render to an absolute http(s) URL, got ${JSON.stringify(r.url)}`);
  }
  const url = new URL(r.url);
  for (const [k, v] of Object.entries((r.query as Record<string, unknown>) ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((r.headers as Record<string, unknown>) ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  let body: string | undefined;
  if (r.body !== undefined && r.body !== null) {
    body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    if (typeof r.body !== 'string') headers['content-type'] ??= 'application/json';
  }
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

/** Builds the executor over an HTTP client (global fetch by default). */
export function httpExecutor(client: HttpClient = fetch): TaskExecutor {
  return async (exec) => {
    const { task, input, signal, heartbeat, logger } = exec;
    const where = `task ${task.task_id}@${task.version} config`;
    const req = await buildRequest(exec, where);
    const timeoutMs = tryParseDuration(task.config.timeout);
    // Cancellation (or a heartbeat timeout) aborts the request; so does the per-request timeout.
    const signals = [signal, ...(timeoutMs ? [AbortSignal.timeout(timeoutMs)] : [])];
    const beat = setInterval(() => heartbeat({ waitingFor: req.url }), HEARTBEAT_EVERY_MS);
    let res: Response;
    let body: unknown;
    try {
      res = await client(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.any(signals) });
      body = await readBody(res);
    } catch (err) {
      if (signal.aborted) throw new CancelledFailure(`${req.method} ${req.url} cancelled`);
      if ((err as Error).name === 'TimeoutError') throw retryable('HttpTimeout', `${where}: ${req.method} ${req.url} timed out after ${timeoutMs}ms`);
      if (err instanceof ApplicationFailure) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw retryable('HttpNetworkError', `${where}: ${req.method} ${req.url} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    } finally {
      clearInterval(beat);
    }
    logger.debug({ method: req.method, url: req.url, status: res.status }, 'http task response');
    if (!statusMatches(res.status, task.config.expected_status as StatusSpec[] | undefined)) {
      throw unexpectedStatus(where, req.method, req.url, res, body);
    }
    const response = { status: res.status, headers: Object.fromEntries(res.headers.entries()), body };
    if (task.config.response === undefined) return response;
    return render(task.config.response, { input, response }, `${where}/response`);
  };
}
