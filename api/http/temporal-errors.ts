/**
 * Maps Temporal client errors onto API errors: "already started" is 409, "not found" is 404, and Temporal
 * unreachable or not answering in time (a query with no worker to answer it) is 503, like a database outage.
 */
import {
  isGrpcDeadlineError,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { AppError } from '../../common/errors';

// gRPC status UNAVAILABLE: the frontend cannot be reached.
const GRPC_UNAVAILABLE = 14;

export function translateTemporalError(err: unknown): AppError | undefined {
  if (err instanceof WorkflowExecutionAlreadyStartedError)
    return AppError.conflict(`Workflow ${err.workflowId} is already running`);
  if (err instanceof WorkflowNotFoundError) return AppError.notFound(`Workflow ${err.workflowId} not found`);
  const cause = (err as { cause?: unknown })?.cause;
  if (
    isGrpcDeadlineError(err) ||
    isGrpcDeadlineError(cause) ||
    [err, cause].some((e) => isGrpcServiceError(e) && e.code === GRPC_UNAVAILABLE)
  ) {
    return new AppError(503, 'Service Unavailable', 'Temporal did not answer in time; retry later');
  }
  return undefined;
}
