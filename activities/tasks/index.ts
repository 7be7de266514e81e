/** Task activities: `runTask` over the explicit registry of task types, with the task mirror built in. */
import type { Knex } from 'knex';
import { createCredentialsCipher } from '../../common/credentials-cipher';
import type { TaskActivities } from '../../common/contracts/tasks';
import type { Logger } from '../../common/logger';
import { createTaskMirror } from '../../services/mirror/task-mirror';
import type { DroppedTaskWrites } from '../../services/mirror/dropped-writes';
import { builtinCodeHandlers } from './builtin-handlers';
import { CodeHandlerRegistry } from './code-handlers';
import { createEgressClient } from './egress/client';
import { createEgressPolicy } from './egress/policy';
import type { HttpClient } from './executors/http';
import { createTaskRegistry } from './registry';
import { createRunTask } from './run-task';
import { createTaskLimiter, type TaskLimiterDeps } from '../../services/task-limits/limiter';
import { TransformPool, type TransformPoolOptions } from './transform/pool';
import { DEFAULT_EXPRESSION_LIMITS } from '../../common/expressions/limits';

export {
  CodeHandlerRegistry,
  loadCodeHandlersModule,
  type CodeHandler,
  type CodeHandlerContext,
} from './code-handlers';
export { builtinCodeHandlers } from './builtin-handlers';

/** Dependencies of the task activities. */
export interface TaskActivityDeps {
  db: Knex;
  logger: Logger;
  /** Code handlers; default: the built-ins only. */
  handlers?: CodeHandlerRegistry;
  /** Transport of `http` and `integration` tasks; default: the egress client over `egressAllow` (a custom one must do its own egress checks). */
  http?: HttpClient;
  /** Destinations allowed besides public addresses (config EGRESS_ALLOW; see egress/policy.ts). */
  egressAllow?: readonly string[];
  /** Base64 AES key of integration credentials (config CREDENTIALS_ENCRYPTION_KEY); without it only auth_type none works. */
  credentialsEncryptionKey?: string;
  /** Write task_instances rows [true]. */
  mirror?: boolean;
  /** Threads, time and step limits of `transform` tasks; default {@link DEFAULT_TRANSFORM}. */
  transform?: TransformPoolOptions;
  /** Temporal's per-payload limit (config TEMPORAL_PAYLOAD_LIMIT_BYTES) [2 MiB]. */
  payloadLimitBytes?: number;
  /** Database of the task mirror only [db]; tests point it at a dead server to simulate an outage. */
  mirrorDb?: Knex;
  /** Buffer of the mirror's dropped writes [the process-wide one]; tests give each "process" its own. */
  mirrorDrops?: DroppedTaskWrites;
  /** Backoff (ms) between mirror write retries; default MIRROR_BACKOFF_MS (about 3.5 s in total). */
  mirrorBackoffMs?: readonly number[];
  /** Delay (ms) before an attempt's "running" row is written; default RUNNING_WRITE_DELAY_MS (200). */
  runningWriteDelayMs?: number;
  /** Lease TTL and polling of task `limits` (tests shorten them); default TASK_LIMIT_DEFAULTS. */
  limits?: Pick<TaskLimiterDeps, 'leaseTtlMs' | 'leasePollMaxMs' | 'ratePollMs'>;
}

/** Transform limits when none are configured: the README's defaults of TRANSFORM_* settings. */
export const DEFAULT_TRANSFORM: TransformPoolOptions = {
  threads: 2,
  timeoutMs: 10_000,
  limits: { ...DEFAULT_EXPRESSION_LIMITS, steps: 1_000_000 },
};

/** Builds the task activities (factory over deps: the worker wires real ones, tests too). */
export function createTaskActivities(deps: TaskActivityDeps): TaskActivities {
  const logger = deps.logger.child({ component: 'tasks' });
  const handlers = deps.handlers ?? new CodeHandlerRegistry(builtinCodeHandlers);
  const cipher = deps.credentialsEncryptionKey ? createCredentialsCipher(deps.credentialsEncryptionKey) : undefined;
  const http = deps.http ?? createEgressClient(createEgressPolicy(deps.egressAllow));
  const registry = createTaskRegistry({
    handlers,
    http,
    db: deps.db,
    cipher,
    transform: TransformPool.shared(deps.transform ?? DEFAULT_TRANSFORM),
  });
  const mirror = createTaskMirror(deps.mirrorDb ?? deps.db, logger, {
    enabled: deps.mirror !== false,
    backoff: deps.mirrorBackoffMs,
    runningWriteDelayMs: deps.runningWriteDelayMs,
    drops: deps.mirrorDrops,
  });
  const limiter = createTaskLimiter({ db: deps.db, logger, ...deps.limits });
  return {
    runTask: createRunTask({ registry, mirror, logger, payloadLimitBytes: deps.payloadLimitBytes, limiter }),
  };
}
