/**
 * The worker's activities, composed from per-component factories over shared dependencies.
 * Names and signatures follow common/definitions/activity-types.ts (the interpreter proxies them by name).
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { createEventActivities } from './events';
import { createDefinitionActivities } from './definitions/resolve-definition';
import { withEngineFailures } from './engine-failures';
import { createMirrorActivities } from './mirror/workflow-mirror';
import { createTaskActivities, DEFAULT_TRANSFORM } from './tasks';
import { createTurnActivities } from './turn';
import type { CodeHandlerRegistry } from './tasks/code-handlers';
import type { HttpClient } from './tasks/executors/http';

/** Dependencies of every activity. */
export interface ActivityDeps {
  db: Knex;
  logger: Logger;
  handlers?: CodeHandlerRegistry;
  http?: HttpClient;
  /** Write task_instances rows from runTask [true]. */
  mirrorTasks?: boolean;
  /** Event routing (signals, trigger starts) and emitEvent's immediate hand-off need the client. */
  temporal?: Client;
  config?: Config;
}

/** Every activity the orchestrator worker registers (regular and local). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createTaskActivities({
      db: deps.db, logger: deps.logger, handlers: deps.handlers, http: deps.http, mirror: deps.mirrorTasks,
      credentialsEncryptionKey: deps.config?.credentialsEncryptionKey, egressAllow: deps.config?.egressAllow,
      transform: deps.config && { threads: deps.config.transformThreads, timeoutMs: deps.config.transformTimeoutMs, limits: { ...DEFAULT_TRANSFORM.limits, steps: deps.config.transformMaxSteps } },
      payloadLimitBytes: deps.config?.temporalPayloadLimitBytes,
    }),
    ...withEngineFailures(createDefinitionActivities({ db: deps.db })),
    ...createMirrorActivities({ db: deps.db, logger: deps.logger }),
    ...createTurnActivities(),
    ...createEventActivities({ db: deps.db, logger: deps.logger, temporal: deps.temporal, config: deps.config }),
  };
}

/** The composed activity record. */
export type Activities = ReturnType<typeof createActivities>;
