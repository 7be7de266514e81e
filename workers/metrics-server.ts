/**
 * The worker's `/metrics` (WORKER_METRICS_PORT; 0 = not served): a bare node:http server answering the Prometheus
 * text of this process (services/observability/metrics.ts), the Temporal SDK's series merged in. No auth: bind it
 * where only the scraper reaches it (WORKER_METRICS_HOST), as the SDK's own exporter expects too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/logger';
import { METRICS_CONTENT_TYPE, metricsText } from '../services/observability/metrics';

/** A running metrics server. */
export interface MetricsServer {
  /** `http://host:port` it listens on. */
  url: string;
  close(): Promise<void>;
}

/** Starts the server on host:port (port 0 = any free port, for tests). */
export async function startMetricsServer(opts: { host: string; port: number; logger: Logger }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metricsText().then(
      (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => {
        opts.logger.warn({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
