/** RFC 9457 problem+json: the one error format of the API. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type FieldError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { DB_RETRY_AFTER_SECONDS, translateDbUnavailable } from './db-unavailable';
import { translatePgError } from './pg-errors';
import type { ContextResponse } from './request-context';
import { translateTemporalError } from './temporal-errors';

/** The problem+json body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  requestId?: string;
  /** Extension members of the problem (RFC 9457 section 3.2), e.g. `test_run_id`. */
  [extension: string]: unknown;
}

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** 400: the body is not JSON (or, like body-parser's strict mode, not an object or array). */
export const malformedJson = (): AppError =>
  AppError.badRequest('Request body is not valid JSON', [{ pointer: '/body', message: 'malformed JSON' }]);

/** 413: the body is over API_BODY_LIMIT. */
export const bodyTooLarge = (): AppError =>
  new AppError(413, 'Content Too Large', 'Request body exceeds the size limit');

/** Body-parser and HTTP errors that carry their own 4xx status. */
function fromHttpError(err: unknown): AppError | undefined {
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (e.type === 'entity.parse.failed') return malformedJson();
  if (e.type === 'entity.too.large') return bodyTooLarge();
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return new AppError(415, 'Unsupported Media Type', e.message);
  return new AppError(status, e.message ?? 'Bad Request', e.expose ? e.message : undefined);
}

/** Converts any thrown value into a problem; unknown errors become a 500 that hides internals. */
export function toProblem(err: unknown, requestId?: string): Problem {
  const app =
    err instanceof AppError
      ? err
      : (fromHttpError(err) ?? translateTemporalError(err) ?? translatePgError(err) ?? translateDbUnavailable(err));
  if (!app)
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Unexpected error; see the server log',
      requestId,
    };
  return {
    ...app.extensions,
    type: app.type,
    title: app.title,
    status: app.status,
    detail: app.message,
    ...(app.errors.length > 0 && { errors: app.errors }),
    requestId,
  };
}

/**
 * Answers `err` as problem+json for the request at `url`; logs 5xx with the stack, 4xx at debug. A 503 (the
 * database is unavailable) says when to retry.
 */
export function sendProblem(logger: Logger, err: unknown, url: string, res: ContextResponse): void {
  const requestId = res.locals.requestId as string | undefined;
  const problem = toProblem(err, requestId);
  problem.instance = url;
  if (problem.status >= 500) logger.error({ err, requestId }, 'request failed');
  else logger.debug({ requestId, problem }, 'request rejected');
  const body = JSON.stringify(problem);
  res.statusCode = problem.status;
  if (problem.status === 503) res.setHeader('Retry-After', String(DB_RETRY_AFTER_SECONDS));
  res.setHeader('Content-Type', PROBLEM_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Express error handler writing problem+json (see {@link sendProblem}). */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => sendProblem(logger, err, req.originalUrl, res);
}

/** 404 for unknown routes, in the same format. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(AppError.notFound(`No route for ${req.method} ${req.path}`));
};
