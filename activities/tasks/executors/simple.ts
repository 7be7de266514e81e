/** `noop` and `echo` executors (`transform` is in transform.ts). */
import type { TaskExecutor } from '../types';

/** Does nothing; answers `config.output` (default null). For demos and benchmarks. */
export const noopExecutor: TaskExecutor = async ({ task }) => task.config.output ?? null;

/** Answers its input unchanged. */
export const echoExecutor: TaskExecutor = async ({ input }) => input;
