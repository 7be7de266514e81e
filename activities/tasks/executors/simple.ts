/** `noop`, `echo` and `transform` executors. */
import { FailureType } from '../../../common/errors';
import { nonRetryable } from '../failures';
import { evaluate, expressionSource } from '../template';
import type { TaskExecutor } from '../types';

/** Does nothing; answers `config.output` (default null). For demos and benchmarks. */
export const noopExecutor: TaskExecutor = async ({ task }) => task.config.output ?? null;

/** Answers its input unchanged. */
export const echoExecutor: TaskExecutor = async ({ input }) => input;

/** Evaluates `config.expression` (JSONata, with or without `{% %}`) with `$input` bound (and as the context). */
export const transformExecutor: TaskExecutor = async ({ task, input }) => {
  const expression = task.config.expression;
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw nonRetryable(FailureType.BadTaskConfig, `task ${task.task_id}@${task.version}: config.expression must be a non-empty JSONata string`);
  }
  const where = `task ${task.task_id}@${task.version} config.expression`;
  // The input is both `$input` and the context, so `order.total` and `$input.order.total` both work.
  const value = await evaluate(expressionSource(expression), { input }, where, input);
  // JSONata yields undefined for "no match"; JSON has no undefined, so the task answers null.
  return value === undefined ? null : value;
};
