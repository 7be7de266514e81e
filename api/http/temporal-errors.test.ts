/** Temporal client errors become 409 / 404 / 503 problems; anything else is left to the next translator. */
import { ServiceError } from '@temporalio/client';
import { translateTemporalError } from './temporal-errors';

/** A gRPC status error as @grpc/grpc-js builds it. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

const queryFailed = (cause: Error) => new ServiceError('Failed to query Workflow', { cause });

it('answers 503 when a query meets its deadline', () => {
  expect(translateTemporalError(queryFailed(grpcError(4, 'Deadline exceeded')))?.status).toBe(503);
});

it('answers 503 when the server says no worker polls the task queue (it races the deadline)', () => {
  const err = queryFailed(grpcError(9, 'no poller seen for task queue recently, worker may be down'));
  expect(translateTemporalError(err)?.status).toBe(503);
});

it('answers 503 when the frontend is unreachable', () => {
  expect(translateTemporalError(queryFailed(grpcError(14, 'No connection established')))?.status).toBe(503);
});

it('leaves other failed preconditions and unknown errors alone', () => {
  expect(translateTemporalError(queryFailed(grpcError(9, 'workflow is closed')))).toBeUndefined();
  expect(translateTemporalError(new Error('boom'))).toBeUndefined();
});
