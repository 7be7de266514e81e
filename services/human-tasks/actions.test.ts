/** How the run's answers to a submission become API errors. */
import { status as grpcStatus } from '@grpc/grpc-js';
import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { translateTemporalError } from '../../api/http/temporal-errors';
import { HumanTaskRejection } from '../../common/contracts/human-tasks';
import { rejection } from './actions';

const refused = (type: string) =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type, message: `because ${type}` }),
  );

it.each([
  [HumanTaskRejection.Closed, 409],
  [HumanTaskRejection.DuplicateApproval, 409],
  [HumanTaskRejection.SelfApproval, 403],
  [HumanTaskRejection.UnknownAction, 422],
])('When the run refuses with %s, then the API answers %i', (type, status) => {
  const err = rejection(refused(type));
  expect(err?.status).toBe(status);
  expect(err?.message).toBe(`because ${type}`);
});

it('When the run refuses an unknown action, then the error points at /body/action', () => {
  expect(rejection(refused(HumanTaskRejection.UnknownAction))?.errors).toEqual([
    { pointer: '/body/action', message: `because ${HumanTaskRejection.UnknownAction}` },
  ]);
});

it('When the error is not a refusal of the run, then it is left to the generic mapping (503 for a deadline)', () => {
  const deadline = Object.assign(new Error('deadline'), {
    code: grpcStatus.DEADLINE_EXCEEDED,
    details: 'deadline',
    metadata: {},
  });
  const timeout = new WorkflowUpdateRPCTimeoutOrCancelledError('timeout', { cause: deadline });
  expect(rejection(timeout)).toBeUndefined();
  expect(translateTemporalError(timeout)?.status).toBe(503);
  const unreachable = Object.assign(new Error('unavailable'), {
    code: grpcStatus.UNAVAILABLE,
    details: 'x',
    metadata: {},
  });
  expect(translateTemporalError(new ServiceError('Workflow Update failed', { cause: unreachable }))?.status).toBe(503);
});
