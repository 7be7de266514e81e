/** `transform`: evaluates `config.expression` (JSONata) over the task input, in a worker thread (transform/pool.ts). */
import { FailureType } from '../../../common/errors';
import { nonRetryable } from '../failures';
import { expressionSource } from '../template';
import { TransformPool, TransformThreadError } from '../transform/pool';
import type { TaskExecutor } from '../types';

/** The executor over a thread pool; the input is both `$input` and the context (`order.total` works). */
export function transformExecutor(pool: TransformPool): TaskExecutor {
  return async ({ task, input, signal }) => {
    const expression = task.config.expression;
    if (typeof expression !== 'string' || expression.trim() === '') {
      throw nonRetryable(
        FailureType.BadTaskConfig,
        `task ${task.task_id}@${task.version}: config.expression must be a non-empty JSONata string`,
      );
    }
    const where = `task ${task.task_id}@${task.version} config.expression`;
    const source = expressionSource(expression);
    let reply;
    try {
      reply = await pool.run({ source, input }, signal);
    } catch (err) {
      if (!(err instanceof TransformThreadError) || err.reason === 'cancelled') throw err;
      // A runaway (time) or an allocation past the thread's heap: the same input would do it again.
      throw nonRetryable(FailureType.ExpressionError, `${where}: ${err.message}`, {
        limit: err.reason === 'timeout' ? 'time' : 'memory',
      });
    }
    if (!reply.ok && reply.kind === 'parse') {
      throw nonRetryable(
        FailureType.BadTaskConfig,
        `${where}: cannot parse JSONata "${source.trim()}": ${reply.message}`,
      );
    }
    if (!reply.ok)
      throw nonRetryable(FailureType.ExpressionError, `${where}: ${reply.message}`, {
        code: reply.code,
        ...(reply.limit && { limit: reply.limit }),
      });
    // JSONata yields undefined for "no match"; JSON has no undefined, so the task answers null.
    return reply.json === undefined ? null : JSON.parse(reply.json);
  };
}
