/**
 * The explicit registry of task types (never `executors[typeFromData]` on a plain object): a type that is
 * not here is a non-retryable UnknownTaskType failure, and the definition validator rejects it before a run.
 */
import type { Knex } from 'knex';
import type { CredentialsCipher } from '../../common/credentials-cipher';
import type { TaskType } from '../../common/definitions/kinds';
import type { CodeHandlerRegistry } from './code-handlers';
import { codeExecutor } from './executors/code';
import { httpExecutor, type HttpClient } from './executors/http';
import { integrationExecutor } from './executors/integration';
import { echoExecutor, noopExecutor } from './executors/simple';
import { transformExecutor } from './executors/transform';
import type { TransformPool } from './transform/pool';
import type { TaskExecutor, TaskRegistry } from './types';

/** What the executors are built from. */
export interface TaskRegistryDeps {
  handlers: CodeHandlerRegistry;
  /** Transport of `http` and `integration` tasks: the egress client. */
  http: HttpClient;
  /** For `integration` tasks: instances are read (and last_used_at written) here. */
  db: Knex;
  /** Decrypts integration credentials (inside the activity only). */
  cipher?: CredentialsCipher;
  /** The threads `transform` tasks evaluate in. */
  transform: TransformPool;
}

/** Builds the registry: one executor for every type of TASK_TYPES (a type without one does not compile). */
export function createTaskRegistry({ handlers, http, db, cipher, transform }: TaskRegistryDeps): TaskRegistry {
  const executors: Record<TaskType, TaskExecutor> = {
    http: httpExecutor(http),
    transform: transformExecutor(transform),
    code: codeExecutor(handlers),
    noop: noopExecutor,
    echo: echoExecutor,
    integration: integrationExecutor({ db, cipher, http }),
  };
  // Looked up through a Map, never by indexing the object with a type read from data.
  return new Map(Object.entries(executors));
}
