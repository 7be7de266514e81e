/** The Express application: middleware, the /api/v1 routes, problem+json errors. No listening here. */
import express, { type Application } from 'express';
import type { ApiDeps } from './deps';
import { fastRoute, serveAheadOfExpress } from './http/fast-route';
import { bodyLimitBytes } from './http/json-body';
import { mountRoutes, type Authorizer } from './http/mount';
import { notFoundHandler, problemHandler } from './http/problem';
import { requestContext } from './http/request-context';
import type { RouteDefinition } from './http/route';
import { staticHeaders, type StaticHeaders } from './http/security-headers';

const API_PREFIX = '/api/v1';

/** Everything the app is built from besides its dependencies. */
export interface AppOptions {
  routes: RouteDefinition[];
  authorize: Authorizer;
  /** Headers every answer carries (security headers, recorded once: see security-headers.ts). */
  headers?: StaticHeaders;
  /** Extra middleware mounted before the routes (auth token parsing, the docs page, ...). */
  before?: express.RequestHandler[];
}

/** Builds the app; the same function serves production and tests. */
export function createApp(deps: ApiDeps, opts: AppOptions): Application {
  const app = express();
  app.disable('x-powered-by');
  // API_TRUST_PROXY: whose X-Forwarded-For names the client (the login limit counts per client address).
  app.set('trust proxy', deps.config.apiTrustProxy.length > 0 ? [...deps.config.apiTrustProxy] : false);
  const headers = opts.headers ?? [];
  // Routes marked `fast` are served before Express sees the request when it is their plain case.
  const fast = opts.routes
    .filter((r) => r.fast)
    .map((r) =>
      fastRoute(r, {
        deps,
        authorize: opts.authorize,
        headers,
        bodyLimit: bodyLimitBytes(deps.config.apiBodyLimit),
        prefix: API_PREFIX,
      }),
    );
  serveAheadOfExpress(app, fast, deps.logger);
  app.use(requestContext(deps.logger));
  app.use(staticHeaders(headers));
  for (const mw of opts.before ?? []) app.use(mw);
  app.use(express.json({ limit: deps.config.apiBodyLimit, type: ['application/json', 'application/*+json'] }));
  const router = mountRoutes(opts.routes, deps, opts.authorize);
  app.use(API_PREFIX, router);
  // Probes also answer at the root, where orchestrators look for them.
  app.use(
    '/',
    mountRoutes(
      opts.routes.filter((r) => r.tags.includes('operations')),
      deps,
      opts.authorize,
    ),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
