/**
 * The explicit registry of task types (never `executors[typeFromData]` on a plain object): a type that is
 * not here is a non-retryable UnknownTaskType failure, and the definition validator rejects it before a run.
 */
import type { TaskType } from '../../common/definitions/types';
import type { CodeHandlerRegistry } from './code-handlers';
import { codeExecutor } from './executors/code';
import { httpExecutor, type HttpClient } from './executors/http';
import { echoExecutor, integrationExecutor, noopExecutor, transformExecutor } from './executors/simple';
import type { TaskExecutor, TaskRegistry } from './types';

/** What the executors are built from. */
export interface TaskRegistryDeps {
  handlers: CodeHandlerRegistry;
  http?: HttpClient;
}

/** Builds the registry. `integration` is registered but answers "not yet supported" (see executors/simple.ts). */
export function createTaskRegistry({ handlers, http }: TaskRegistryDeps): TaskRegistry {
  const entries: [TaskType, TaskExecutor][] = [
    ['http', httpExecutor(http)],
    ['transform', transformExecutor],
    ['code', codeExecutor(handlers)],
    ['noop', noopExecutor],
    ['echo', echoExecutor],
    ['integration', integrationExecutor],
  ];
  return new Map(entries);
}

/** Task types this worker can run. */
export const SUPPORTED_TASK_TYPES: readonly TaskType[] = ['http', 'transform', 'code', 'noop', 'echo', 'integration'];
