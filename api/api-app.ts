/** The production wiring of the Express app: every route, the authorizer, security headers, the docs page. */
import type { Application } from 'express';
import helmet from 'helmet';
import { createAuthorizer } from './auth/authorizer';
import { createApp } from './app';
import { consoleRouter } from './http/console';
import type { ApiDeps } from './deps';
import type { RouteDefinition } from './http/route';
import { recordHeaders } from './http/security-headers';
import { metricsRouter } from './http/metrics';
import { docsRouter } from './openapi/docs';
import { allRoutes } from './routes';
import { warmValidationThreads } from '../services/validation';

/** Options of {@link createApiApp}; tests may add routes (e.g. a deliberately slow one). */
export interface ApiAppOptions {
  routes?: RouteDefinition[];
}

/** Builds the full API app on `deps`. */
export function createApiApp(deps: ApiDeps, opts: ApiAppOptions = {}): Application {
  void warmValidationThreads();
  const authorize = createAuthorizer(deps);
  return createApp(deps, {
    routes: opts.routes ?? allRoutes(),
    authorize,
    // helmet's defaults: CSP (self only; the docs page has no inline script), HSTS, nosniff, frame-ancestors 'self', ...
    // The console's page adds one source to script-src (api/http/console.ts).
    // They are static, so they are recorded once instead of rebuilt per request.
    headers: recordHeaders(helmet()),
    before: [docsRouter(), consoleRouter(), metricsRouter(deps, authorize)],
  });
}
