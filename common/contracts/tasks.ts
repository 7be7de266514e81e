/** Contract of the `runTask` activity (activities/tasks). Types only: sandbox-safe. */
import type { StepContext, TaskDefinitionSnapshot } from '../definitions/types';

/** Input of `runTask`. */
export interface RunTaskRequest {
  task: TaskDefinitionSnapshot;
  input: unknown;
  ctx: StepContext;
}

/** The task activity; options per step (workflows/activities.ts taskActivityOptions). */
export interface TaskActivities {
  runTask(req: RunTaskRequest): Promise<unknown>;
}
