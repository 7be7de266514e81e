/** `foreach`: runs the body once per item, at most `concurrency` at a time, collecting outputs in item order. */
import type { ForeachStep } from '../../common/definitions/types';
import { FailureType } from '../../common/errors/catalogue';
import { checkForeachItems, takeLanes } from '../block-limits';
import { evaluate } from '../expressions';
import { label, type StepExecutor } from '../runtime';
import { failure } from '../step-errors';
import { mapLimited } from './concurrency';

/** Default bound on concurrent iterations. */
export const DEFAULT_FOREACH_CONCURRENCY = 10;

/** Executes a foreach step; output: the array of each iteration's last output. */
export const foreachStep: StepExecutor<ForeachStep> = async (step, run, frame, runBlock) => {
  const items = await evaluate(step.items, run, frame, `step "${step.id}" items`);
  if (!Array.isArray(items))
    throw failure(
      FailureType.ExpressionError,
      `step "${step.id}": items must be an array, got ${items === null ? 'null' : typeof items}`,
    );
  checkForeachItems(run, step.id, items.length);
  const lanes = takeLanes(run, items.length, step.concurrency ?? DEFAULT_FOREACH_CONCURRENCY, false);
  try {
    const output = await mapLimited(items.length, lanes.count, async (i) => {
      // Each iteration gets its own `$steps` overlay: body step ids repeat across iterations.
      const iteration = {
        path: [...frame.path, label(step.id), `i${i}`],
        overlays: [...frame.overlays, {}],
        item: items[i],
        index: i,
        top: false,
      };
      return (await runBlock(step.steps, run, iteration)).output;
    });
    return { output };
  } finally {
    lanes.release();
  }
};
