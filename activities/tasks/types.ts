/** What every task executor receives and returns. */
import type { StepContext, TaskDefinitionSnapshot, TaskType } from '../../common/definitions/types';
import type { Logger } from '../../common/logger';

/** One execution of a task (one activity attempt). */
export interface TaskExecution {
  task: TaskDefinitionSnapshot;
  /** Already validated against the task's input_schema. */
  input: unknown;
  ctx: StepContext;
  attempt: number;
  /** Child logger carrying workflowId, stepId, taskId and attempt. */
  logger: Logger;
  /** Aborted when Temporal cancels the activity (or its heartbeat times out). */
  signal: AbortSignal;
  heartbeat(details?: unknown): void;
}

/** Runs one task type; the result is validated against the task's output_schema afterwards. */
export type TaskExecutor = (exec: TaskExecution) => Promise<unknown>;

/** The explicit registry: task type to executor. */
export type TaskRegistry = ReadonlyMap<TaskType | string, TaskExecutor>;
