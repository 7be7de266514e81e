/** Running a piece of workflow code under a deadline, telling "timed out" apart from "cancelled". */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

/**
 * Runs `fn` in a cancellable scope that is cancelled after `ms`; if `fn` then fails with a cancellation,
 * `onTimeout()` is thrown instead. (CancellationScope.withTimeout cannot tell the two apart.)
 */
export async function withDeadline<T>(
  ms: number,
  fn: () => Promise<T>,
  onTimeout: () => Error,
  summary?: string,
): Promise<T> {
  const scope = new CancellationScope();
  const timerScope = new CancellationScope();
  let expired = false;
  void timerScope
    .run(() => sleep(Math.max(ms, 1), summary ? { summary } : undefined))
    .then(
      () => {
        expired = true;
        scope.cancel();
      },
      () => undefined, // the timer itself was cancelled because fn finished first
    );
  try {
    return await scope.run(fn);
  } catch (err) {
    if (expired && isCancellation(err)) throw onTimeout();
    throw err;
  } finally {
    timerScope.cancel();
  }
}
