/** `fail`: a non-retryable ApplicationFailure of the step's error type (default `WorkflowFailed`). */
import type { FailStep } from '../../common/definitions/types';
import { FailureType } from '../../common/errors/catalogue';
import { evaluate } from '../expressions';
import type { StepExecutor } from '../runtime';
import { failure } from '../step-errors';

/** Executes a fail step: always throws (a catch on an enclosing block may still handle it). */
export const failStep: StepExecutor<FailStep> = async (step, run, frame) => {
  const message = await evaluate(
    step.message ?? `failed at step "${step.id}"`,
    run,
    frame,
    `step "${step.id}" message`,
  );
  const details =
    step.details === undefined ? undefined : await evaluate(step.details, run, frame, `step "${step.id}" details`);
  throw failure(
    step.error ?? FailureType.WorkflowFailed,
    typeof message === 'string' ? message : JSON.stringify(message),
    details,
  );
};
