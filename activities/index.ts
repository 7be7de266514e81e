/**
 * The worker's activities, composed from per-component factories over shared dependencies.
 * Each component implements a contract declared in common/contracts/ (the interpreter proxies them by name);
 * the composed record is checked against all of them.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../common/config';
import type { BulkOperationActivities } from '../common/contracts/bulk-operations';
import type { DispatchActivities } from '../common/contracts/events';
import type { ScheduleActivities } from '../common/contracts/schedules';
import type { TaskTestActivities } from '../common/contracts/testing';
import type { InterpreterActivities } from '../common/definitions/activity-types';
import type { Logger } from '../common/logger';
import { createBulkOperationActivities } from './bulk-operations';
import { createEventActivities } from './events';
import { createHumanTaskActivities } from './human-tasks';
import { createDefinitionActivities } from './definitions/resolve-definition';
import { withEngineFailures } from './engine-failures';
import { createMirrorActivities } from './mirror';
import { createScheduleActivities } from './schedules';
import { createTaskActivities, DEFAULT_TRANSFORM } from './tasks';
import { createTaskTestActivities } from './testing/task-test';
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
  /** Event routing (signals, trigger starts) and emitEvent's immediate hand-off. */
  temporal: Client;
  config: Config;
}

/** Every activity the orchestrator worker registers (regular and local). */
export function createActivities(deps: ActivityDeps) {
  const { config } = deps;
  const tasks = createTaskActivities({
    db: deps.db,
    logger: deps.logger,
    handlers: deps.handlers,
    http: deps.http,
    mirror: deps.mirrorTasks,
    credentialsEncryptionKey: config.credentialsEncryptionKey,
    egressAllow: config.egressAllow,
    transform: {
      threads: config.transformThreads,
      timeoutMs: config.transformTimeoutMs,
      limits: { ...DEFAULT_TRANSFORM.limits, steps: config.transformMaxSteps },
    },
    payloadLimitBytes: config.temporalPayloadLimitBytes,
  });
  return {
    ...tasks,
    // Single-task tests run the same runTask (same executors, egress rules, handlers and credentials).
    ...createTaskTestActivities({ runTask: tasks.runTask }),
    ...withEngineFailures(createDefinitionActivities({ db: deps.db })),
    ...createMirrorActivities({ db: deps.db, logger: deps.logger, temporal: deps.temporal }),
    ...createTurnActivities(),
    ...createEventActivities({ db: deps.db, logger: deps.logger, temporal: deps.temporal, config }),
    ...createHumanTaskActivities({ db: deps.db }),
    ...createBulkOperationActivities({ db: deps.db, logger: deps.logger, temporal: deps.temporal, config }),
    ...createScheduleActivities({ db: deps.db, temporal: deps.temporal, config }),
  } satisfies InterpreterActivities &
    DispatchActivities &
    TaskTestActivities &
    BulkOperationActivities &
    ScheduleActivities;
}
