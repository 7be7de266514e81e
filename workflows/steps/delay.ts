/** `delay`: a durable timer for a duration or until a timestamp (both may be expressions). */
import { sleep } from '@temporalio/workflow';
import { tryParseDuration } from '../../common/definitions/duration';
import type { DelayStep } from '../../common/definitions/types';
import { FailureType } from '../../common/errors/catalogue';
import { runMs } from '../clock';
import { evaluate } from '../expressions';
import type { StepExecutor } from '../runtime';
import { failure } from '../step-errors';

/** Executes a delay step; output null. */
export const delayStep: StepExecutor<DelayStep> = async (step, run, frame) => {
  let ms: number | undefined;
  if (step.until !== undefined) {
    const until = await evaluate(step.until, run, frame, `step "${step.id}" until`);
    const at = typeof until === 'number' ? until : Date.parse(String(until));
    if (Number.isNaN(at))
      throw failure(
        FailureType.ExpressionError,
        `step "${step.id}": until is not a timestamp: ${JSON.stringify(until)}`,
      );
    ms = at - Date.now();
  } else {
    const value = await evaluate(step.duration, run, frame, `step "${step.id}" duration`);
    ms = tryParseDuration(value);
    if (ms === undefined)
      throw failure(FailureType.ExpressionError, `step "${step.id}": not a duration: ${JSON.stringify(value)}`);
  }
  ms = runMs(run.input.options, ms);
  if (ms > 0) await sleep(ms, { summary: step.id });
  return { output: null };
};
