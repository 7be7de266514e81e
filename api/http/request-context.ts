/** Request ids and access logs: every response carries X-Request-Id, every log line the same id. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../../common/logger';
import { SpanAttr } from '../../common/telemetry';
import { setRequestSpanAttributes, startRequestSpan, withRequestContext } from './request-span';

/** What the request context needs of a response: node's plus `locals` (Express's Response is one). */
export type ContextResponse = ServerResponse & { locals: Record<string, unknown> };

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface LogState {
  base: Logger;
  bindings: Record<string, unknown>;
  log?: Logger;
}
const logStates = new WeakMap<ServerResponse, LogState>();

/**
 * Assigns the request id (a caller's sane X-Request-Id is kept), answers it in X-Request-Id, installs
 * `res.locals.log` and logs completion. The child logger is built on first use: most requests never log
 * anything but their access line, and a pino child (bindings serialised, redaction set up) is a
 * measurable share of a cheap request.
 */
export function startRequest(logger: Logger, req: IncomingMessage, res: ContextResponse): string {
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  const state: LogState = { base: logger, bindings: { requestId } };
  res.locals.requestId = requestId;
  logStates.set(res, state);
  Object.defineProperty(res.locals, 'log', {
    configurable: true,
    enumerable: true,
    get: () => (state.log ??= state.base.child(state.bindings)),
    set: (log: Logger) => void (state.log = log),
  });
  res.setHeader('X-Request-Id', requestId);
  startRequestSpan(req, res, requestId);
  if (logger.isLevelEnabled('info')) {
    const started = process.hrtime.bigint();
    // Taken now: routers rewrite req.url while they handle the request.
    const { method, url: path } = req;
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      // A request that logged nothing else writes its access line through the root logger with its bindings
      // inline: the same line, without building a child logger for one line.
      if (state.log) state.log.info(line, 'request');
      else state.base.info({ ...state.bindings, ...line }, 'request');
    });
  }
  return requestId;
}

/** Adds bindings (e.g. the caller's userId) to the request's logger, still without building it early. */
export function addLogBindings(res: ContextResponse, bindings: Record<string, unknown>): void {
  if (typeof bindings.userId === 'string') setRequestSpanAttributes(res, { [SpanAttr.userId]: bindings.userId });
  const state = logStates.get(res);
  if (!state) return void (res.locals.log = (res.locals.log as Logger | undefined)?.child(bindings));
  if (state.log) state.log = state.log.child(bindings);
  else Object.assign(state.bindings, bindings);
}

/** The Express middleware form of {@link startRequest}: the rest of the stack runs in the request's span. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    startRequest(logger, req, res);
    withRequestContext(res, next);
  };
}
