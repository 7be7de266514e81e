/**
 * `GET /metrics`: the Prometheus text exposition of this process (services/observability/metrics.ts: the
 * platform's metrics, then the Temporal SDK's when its exporter runs in this process).
 *
 * Who may read it is `METRICS_API`: `public` (the default, as Prometheus exporters usually are: scrapers seldom
 * carry credentials, and the series hold counts and definition ids, no payloads), `authenticated` (a caller with
 * the observability:read permission, e.g. an API key given to the scraper), or `off` (not served: 404).
 * Outside the route table on purpose: its answer is text, not JSON, and it is not part of the REST API.
 */
import { Router, type RequestHandler } from 'express';
import { METRICS_CONTENT_TYPE, metricsText, setGaugeSource } from '../../services/observability/metrics';
import type { ApiDeps } from '../deps';
import type { Authorizer } from './mount';

/** The path Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/** The permission `METRICS_API=authenticated` asks for. */
export const METRICS_PERMISSION = 'observability:read';

/** The router serving `/metrics` (empty when `METRICS_API=off`); also points the scrape-time gauges at `deps.db`. */
export function metricsRouter(deps: ApiDeps, authorize: Authorizer): Router {
  const router = Router();
  const mode = deps.config.metricsApi;
  if (mode === 'off') return router;
  setGaugeSource(deps.db, { ttlMs: deps.config.metricsGaugeCacheMs, timeoutMs: deps.config.metricsGaugeTimeoutMs });
  const guard: RequestHandler[] = mode === 'authenticated' ? [authorize(METRICS_PERMISSION) as RequestHandler] : [];
  router.get(METRICS_PATH, ...guard, async (_req, res, next) => {
    try {
      const text = await metricsText();
      res.status(200).setHeader('content-type', METRICS_CONTENT_TYPE);
      res.setHeader('cache-control', 'no-store');
      res.end(text);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
