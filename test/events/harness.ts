/** Shared setup of the event integration tests: config, db, Temporal client and the API app with the event routes. */
import { randomBytes } from 'node:crypto';
import type { Application, RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createApp } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { eventDefinitionRoutes } from '../../api/routes/event-definitions';
import { eventRoutes } from '../../api/routes/events';
import { deadLetterRoutes } from '../../api/routes/dead-letters';
import { triggerRoutes } from '../../api/routes/triggers';
import { loadConfig, type Config } from '../../common/config';
import { createLogger } from '../../common/logger';
import { createTestDb } from '../helpers/db';
import { createTestClient, uniqueTaskQueue } from '../helpers/temporal';
import type { RouteDefinition } from '../../api/http/route';

/** Everything a test file needs. */
export interface EventsHarness {
  db: Knex;
  temporal: Client;
  config: Config;
  deps: ApiDeps & { handoff?: boolean };
  app: Application;
  close(): Promise<void>;
}

/** A short random token: keeps patterns and ids of concurrent test files apart in the shared database. */
export const uniq = (): string => randomBytes(4).toString('hex');

const allowAll = (): RequestHandler => (_req, _res, next) => next();

/** Builds the harness; `env` overrides settings, `handoff: false` stores events without starting delivery. */
export async function createEventsHarness(opts: { env?: Record<string, string>; handoff?: boolean; routes?: RouteDefinition[] } = {}): Promise<EventsHarness> {
  const config = loadConfig({
    ...process.env, LOG_LEVEL: 'silent', TASK_QUEUE: uniqueTaskQueue('events'),
    EVENT_DELIVERY_INITIAL_INTERVAL_MS: '50', EVENT_DELIVERY_MAX_INTERVAL_MS: '200', EVENT_DELIVERY_MAX_ATTEMPTS: '3',
    EVENT_SWEEP_INTERVAL_MS: '300', EVENT_SWEEP_GRACE_MS: '500', ...opts.env,
  });
  const db = createTestDb();
  const temporal = await createTestClient();
  const logger = createLogger({ level: 'silent' });
  const deps = { config, logger, db, temporal, ...(opts.handoff === false && { handoff: false }) };
  const app = createApp(deps, { routes: opts.routes ?? [...eventDefinitionRoutes, ...eventRoutes, ...triggerRoutes, ...deadLetterRoutes], authorize: allowAll });
  return {
    db, temporal, config, deps, app,
    async close() {
      await temporal.connection.close();
      await db.destroy();
    },
  };
}
