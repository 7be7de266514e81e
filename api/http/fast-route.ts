/**
 * The fast route: a hot JSON endpoint (`POST /api/v1/events`) served ahead of Express. Express re-prototypes
 * every request and response (`Object.setPrototypeOf` in `app.handle`) and walks the router's ~100 layers;
 * on the 2-core bench machine that generic path cost ~300 µs of CPU per request against ~30 µs for node's
 * own HTTP handling (docs/benchmarks.md, "Events"). This path does the same steps in the same order with
 * the same code: request id and access log, the recorded security headers, the JSON body (same limit and
 * errors as `express.json()`), the route's authorizer, its compiled validators and its handler, and errors
 * as the same problem+json. Requests it does not take (another method or path, a query string, a body that
 * is not plain UTF-8 JSON) go through Express unchanged, where the same route is mounted as usual.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Application, Request, Response } from 'express';
import type { Logger } from '../../common/logger';
import type { ApiDeps } from '../deps';
import { isPlainJson, readJsonBody } from './json-body';
import type { Authorizer } from './mount';
import { sendProblem } from './problem';
import { startRequest, type ContextResponse } from './request-context';
import { setRequestRoute, withRequestContext } from './request-span';
import type { RouteDefinition, RouteResult } from './route';
import { setStaticHeaders, type StaticHeaders } from './security-headers';
import { compileRoute, validateRequest } from './validate';

/** What a fast route is built from (the app's own pieces). */
export interface FastRouteOptions {
  deps: ApiDeps;
  authorize: Authorizer;
  headers: StaticHeaders;
  bodyLimit: number;
  /** Where the API's router is mounted, e.g. `/api/v1`. */
  prefix: string;
}

/** Serves a request if it is this route's plain case; returns whether it did. */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Builds the fast handler of a `fast` route: a POST with a JSON body schema, no params, query or extra middleware. */
export function fastRoute(route: RouteDefinition, opts: FastRouteOptions): FastHandler {
  if (
    route.method !== 'post' ||
    !route.body ||
    route.params ||
    route.query ||
    route.middleware ||
    route.path.includes(':')
  ) {
    throw new Error(`Route ${route.operationId} cannot be served by the fast route`);
  }
  const url = `${opts.prefix}${route.path}`;
  const validators = compileRoute(route);
  const guard = route.permission === 'public' ? undefined : opts.authorize(route.permission);
  const logger = opts.deps.logger;

  const authorized = (req: IncomingMessage, res: ContextResponse) =>
    new Promise<void>((resolve, reject) =>
      guard ? guard(req, res, (err) => (err ? reject(err) : resolve())) : resolve(),
    );

  async function serve(req: IncomingMessage, res: ContextResponse): Promise<void> {
    try {
      // The order of the Express stack: body (400/413) before credentials (401/403) before validation (422).
      const body = await readJsonBody(req, opts.bodyLimit);
      await authorized(req, res);
      const input = { params: {}, query: {}, body };
      validateRequest(validators, input);
      // The handler sees node's request and response (plus res.locals), not Express's: fast routes' handlers
      // use only their validated input, deps and res.locals.
      sendJson(res, await route.handler({ ...input, deps: opts.deps, req: req as Request, res: res as Response }));
    } catch (err) {
      if (res.headersSent) {
        logger.error({ err, requestId: res.locals.requestId }, 'request failed after its answer began');
        res.destroy();
      } else sendProblem(logger, err, url, res);
    }
  }

  return (req, res) => {
    if (req.method !== 'POST' || req.url !== url || !isPlainJson(req)) return false;
    const ctx = Object.assign(res, { locals: Object.create(null) as Record<string, unknown> });
    setRequestRoute(req, url);
    startRequest(logger, req, ctx);
    setStaticHeaders(res, opts.headers);
    withRequestContext(ctx, () => void serve(req, ctx));
    return true;
  };
}

/** Writes a handler's result as `res.json` would (no ETag: answers to POSTs are not cached). */
function sendJson(res: ServerResponse, result: RouteResult): void {
  for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
  res.statusCode = result.status ?? 200;
  if (result.body === undefined) return void res.end();
  const json = JSON.stringify(result.body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

/**
 * Lets `fast` handlers see each request before Express does. `app.handle` is what the app function (and so
 * `app.listen`, `http.createServer(app)` and supertest) calls for every request; should a future Express
 * stop calling it, requests simply take the Express path, which serves the same routes.
 */
export function serveAheadOfExpress(app: Application, fast: FastHandler[], logger: Logger): void {
  if (fast.length === 0) return;
  const inner = app as unknown as { handle(req: IncomingMessage, res: ServerResponse, next?: unknown): void };
  if (typeof inner.handle !== 'function')
    return void logger.warn('Express has no app.handle: fast routes are served by Express');
  const handle = inner.handle.bind(app);
  inner.handle = (req, res, next) => {
    for (const f of fast) if (f(req, res)) return;
    handle(req, res, next);
  };
}
