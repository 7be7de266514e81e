/** Maps Temporal client errors onto API errors: "already started" is 409, "not found" is 404. */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { AppError } from '../../common/errors';

export function translateTemporalError(err: unknown): AppError | undefined {
  if (err instanceof WorkflowExecutionAlreadyStartedError) return AppError.conflict(`Workflow ${err.workflowId} is already running`);
  if (err instanceof WorkflowNotFoundError) return AppError.notFound(`Workflow ${err.workflowId} not found`);
  return undefined;
}
