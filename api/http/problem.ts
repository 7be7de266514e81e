/** RFC 9457 problem+json: the one error format of the API. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type FieldError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { translatePgError } from './pg-errors';
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
}

const PROBLEM_TYPE = 'application/problem+json';

/** Body-parser and HTTP errors that carry their own 4xx status. */
function fromHttpError(err: unknown): AppError | undefined {
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (e.type === 'entity.parse.failed') return AppError.badRequest('Request body is not valid JSON', [{ pointer: '/body', message: 'malformed JSON' }]);
  if (e.type === 'entity.too.large') return new AppError(413, 'Content Too Large', 'Request body exceeds the size limit');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new AppError(415, 'Unsupported Media Type', e.message);
  return new AppError(status, e.message ?? 'Bad Request', e.expose ? e.message : undefined);
}

/** Converts any thrown value into a problem; unknown errors become a 500 that hides internals. */
export function toProblem(err: unknown, requestId?: string): Problem {
  const app = err instanceof AppError ? err : (fromHttpError(err) ?? translateTemporalError(err) ?? translatePgError(err));
  if (!app) return { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Unexpected error; see the server log', requestId };
  return {
    type: app.type,
    title: app.title,
    status: app.status,
    detail: app.message,
    ...(app.errors.length > 0 && { errors: app.errors }),
    requestId,
  };
}

/** Express error handler writing problem+json; logs 5xx with the stack, 4xx at debug. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = res.locals.requestId as string | undefined;
    const problem = toProblem(err, requestId);
    problem.instance = req.originalUrl;
    if (problem.status >= 500) logger.error({ err, requestId }, 'request failed');
    else logger.debug({ requestId, problem }, 'request rejected');
    res.status(problem.status).type(PROBLEM_TYPE).send(JSON.stringify(problem));
  };
}

/** 404 for unknown routes, in the same format. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(AppError.notFound(`No route for ${req.method} ${req.path}`));
};
