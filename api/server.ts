/**
 * Runs the API over HTTP with a graceful close: stop accepting connections, let in-flight requests
 * finish (answers carry `Connection: close` so keep-alive clients go away), and after a grace period
 * cut whatever is still open. The server also holds the process's LISTEN connection for credential revocations
 * made by other API processes (auth/principal-invalidation.ts), closed with it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from './api-app';
import { listenForPrincipalChanges } from './auth/principal-invalidation';
import type { Listener } from '../db/listen';
import type { ApiDeps } from './deps';
import type { RouteDefinition } from './http/route';

/** Options of {@link startApiServer}; host and port default to the config's. */
export interface ApiServerOptions {
  host?: string;
  port?: number;
  routes?: RouteDefinition[];
  /** How long close() waits for in-flight requests before cutting connections (default 10 s). */
  shutdownGraceMs?: number;
  /**
   * Listen for revocations made by other API processes [true]. Off only where this is the one API process on its
   * database (the quick start's embedded PGlite).
   */
  listenForRevocations?: boolean;
}

/** A listening API server. */
export interface ApiServer {
  url: string;
  server: Server;
  /** The LISTEN connection for revocations made by other API processes (undefined when turned off). */
  revocations?: Listener;
  /** Graceful shutdown; resolves when every connection is closed. Idempotent. */
  close(): Promise<void>;
}

/** Starts listening; resolves once the port is bound. */
export async function startApiServer(deps: ApiDeps, opts: ApiServerOptions = {}): Promise<ApiServer> {
  const app = createApiApp(deps, { routes: opts.routes });
  // Connects in the background: the API serves meanwhile, with the cache TTL as the revocation bound.
  const revocations = opts.listenForRevocations === false ? undefined : listenForPrincipalChanges(deps);
  let closing: Promise<void> | undefined;
  const server = createServer((req, res) => {
    if (closing) res.setHeader('Connection', 'close');
    // A keep-alive socket that was busy when close() began becomes idle here: drop it now rather than at its timeout.
    res.on('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => {
      void revocations?.stop();
      reject(err);
    };
    server.once('error', failed);
    server.listen(opts.port ?? deps.config.apiPort, opts.host ?? deps.config.apiHost, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      deps.logger.info('API server closing: finishing in-flight requests');
      // The listener stops last: requests still finishing keep hearing revocations.
      server.close(
        (err) => void (revocations?.stop() ?? Promise.resolve()).then(() => (err ? reject(err) : resolve())),
      );
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        deps.logger.warn('API server grace period over: closing remaining connections');
        server.closeAllConnections();
      }, opts.shutdownGraceMs ?? 10_000);
      timer.unref();
    });
    return closing;
  };
  deps.logger.info({ url: `http://${host}:${port}` }, 'API server listening');
  return { url: `http://${host}:${port}`, server, revocations, close };
}
