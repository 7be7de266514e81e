/** `code` executor: dispatches to a handler registered by name (`config.handler`). */
import { FailureType } from '../../../common/errors';
import type { CodeHandlerRegistry } from '../code-handlers';
import { nonRetryable } from '../failures';
import type { TaskExecutor } from '../types';

/** Builds the executor over a handler registry. */
export function codeExecutor(handlers: CodeHandlerRegistry): TaskExecutor {
  return async ({ task, input, ctx, logger, signal, heartbeat, attempt }) => {
    const name = task.config.handler;
    if (typeof name !== 'string' || name === '') {
      throw nonRetryable(
        FailureType.BadTaskConfig,
        `task ${task.task_id}@${task.version}: config.handler must name a registered code handler`,
      );
    }
    const handler = handlers.get(name);
    if (!handler) {
      const known = handlers.names().join(', ') || 'none';
      throw nonRetryable(
        FailureType.UnknownHandler,
        `task ${task.task_id}@${task.version}: config.handler "${name}" is not registered in this worker (known: ${known})`,
      );
    }
    const result = await handler(input, { ctx, logger, signal, heartbeat, attempt, options: task.config.options });
    return result === undefined ? null : result;
  };
}
