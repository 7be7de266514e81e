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
// gRPC status FAILED_PRECONDITION: for a query, the server's "no poller seen for task queue recently, worker may be
// down", which it answers shortly before the query's deadline (temporalio/temporal#5252): a race with our deadline.
const GRPC_FAILED_PRECONDITION = 9;
const NO_POLLER = /no poller seen/i;

const noWorker = (e: unknown): boolean =>
  isGrpcServiceError(e) && e.code === GRPC_FAILED_PRECONDITION && NO_POLLER.test(e.details);

export function translateTemporalError(err: unknown): AppError | undefined {
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return AppError.conflict(`Workflow ${err.workflowId} is already running`);
  }
  if (err instanceof WorkflowNotFoundError) return AppError.notFound(`Workflow ${err.workflowId} not found`);
  const cause = (err as { cause?: unknown })?.cause;
  if (
    isGrpcDeadlineError(err) ||
    isGrpcDeadlineError(cause) ||
    [err, cause].some((e) => (isGrpcServiceError(e) && e.code === GRPC_UNAVAILABLE) || noWorker(e))
  ) {
    return new AppError(503, 'Service Unavailable', 'Temporal did not answer in time; retry later');
  }
  return undefined;
}
