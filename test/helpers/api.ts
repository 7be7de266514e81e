/** The API app for integration tests: real PostgreSQL and Temporal, fixed test secrets, logs captured or silenced. */
import type { Application } from 'express';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig, type Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { createApiApp } from '../../api/api-app';
import { syncPermissions } from '../../api/auth/bootstrap';
import type { ApiDeps } from '../../api/deps';
import type { RouteDefinition } from '../../api/http/route';
import { allRoutes } from '../../api/routes';
import { createTestDb } from './db';
import { createTestClient } from './temporal';

/** Fixed secrets so tests never touch the data dir. */
export const TEST_SECRETS = {
  AUTH_JWT_SECRET: 'test-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  CREDENTIALS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** A config for tests (environment + test secrets + `overrides`). */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, LOG_LEVEL: 'silent', LOG_PRETTY: 'false', ...TEST_SECRETS, ...overrides });
}

/** A pino logger whose JSON lines are kept in `lines` (to assert on, e.g. that no secret is logged). */
export function captureLogger(level = 'trace'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = pino(
    {
      level,
      redact: {
        paths: ['*.password', '*.credentials', '*.secret', '*.token', 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    stream,
  );
  return { logger, lines };
}

/** A test API: deps on the harness's database and Temporal, and the app over `allRoutes()` (or `routes`). */
export interface TestApi {
  app: Application;
  deps: ApiDeps;
  close(): Promise<void>;
}

/** Builds the app; call `close()` in afterAll. */
export async function createTestApi(
  opts: { logger?: Logger; routes?: RouteDefinition[]; config?: Record<string, string> } = {},
): Promise<TestApi> {
  const config = testConfig(opts.config);
  const db = createTestDb();
  const temporal = await createTestClient();
  const deps: ApiDeps = { config, db, temporal, logger: opts.logger ?? pino({ level: 'silent' }) };
  const routes = opts.routes ?? allRoutes();
  await syncPermissions(deps, routes);
  return {
    app: createApiApp(deps, { routes }),
    deps,
    async close() {
      await temporal.connection.close();
      await db.destroy();
    },
  };
}
