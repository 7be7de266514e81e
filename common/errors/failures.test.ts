/** Failures are built in one place: explicit retryability wins, otherwise the catalogue decides. */
import { ApplicationFailure } from '@temporalio/common';
import { createFailure, fromAppError, toFailure } from './failures';
import { AppError } from './index';

it('When a failure names a retried type and says nothing, then it is retryable; unknown types are not', () => {
  expect(createFailure('HttpTimeout', 'slow').nonRetryable).toBe(false);
  expect(createFailure('SchemaViolation', 'bad').nonRetryable).toBe(true);
  expect(createFailure('SomethingElse', 'x').nonRetryable).toBe(true);
  expect(createFailure('HttpTimeout', 'slow', { nonRetryable: true }).nonRetryable).toBe(true);
});

it("When details are given, then they are the failure's single details entry", () => {
  expect(createFailure('NotFound', 'gone', { details: { id: 1 } }).details).toEqual([{ id: 1 }]);
  expect(createFailure('NotFound', 'gone').details).toBeUndefined();
});

it("When a service raises a 4xx AppError, then the activity's failure is non-retryable with the status's type", () => {
  const f = fromAppError(AppError.notFound('no such row'), 'lookup: no such row');
  expect(f).toBeInstanceOf(ApplicationFailure);
  expect(f).toMatchObject({ type: 'NotFound', message: 'lookup: no such row', nonRetryable: true });
});

it('When a handler throws a plain error, then it keeps its name and stays retryable', () => {
  expect(toFailure(new TypeError('x'))).toMatchObject({ type: 'TypeError', nonRetryable: false });
  expect(toFailure(Object.assign(new Error('bad'), { type: 'SchemaViolation' }))).toMatchObject({
    type: 'SchemaViolation',
    nonRetryable: true,
  });
});
