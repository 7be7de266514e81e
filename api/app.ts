/** The Express application: middleware, the /api/v1 routes, problem+json errors. No listening here. */
import express, { type Application } from 'express';
import type { ApiDeps } from './deps';
import { mountRoutes, type Authorizer } from './http/mount';
import { notFoundHandler, problemHandler } from './http/problem';
import { requestContext } from './http/request-context';
import type { RouteDefinition } from './http/route';

/** Everything the app is built from besides its dependencies. */
export interface AppOptions {
  routes: RouteDefinition[];
  authorize: Authorizer;
  /** Extra middleware mounted before the routes (security headers, auth token parsing, ...). */
  before?: express.RequestHandler[];
}

/** Builds the app; the same function serves production and tests. */
export function createApp(deps: ApiDeps, opts: AppOptions): Application {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestContext(deps.logger));
  for (const mw of opts.before ?? []) app.use(mw);
  app.use(express.json({ limit: deps.config.apiBodyLimit, type: ['application/json', 'application/*+json'] }));
  const router = mountRoutes(opts.routes, deps, opts.authorize);
  app.use('/api/v1', router);
  // Probes also answer at the root, where orchestrators look for them.
  app.use('/', mountRoutes(opts.routes.filter((r) => r.tags.includes('operations')), deps, opts.authorize));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
