/** Concurrency helpers for blocks: all-or-cancel joins and a bounded pool, both deterministic. */
import { CancellationScope } from '@temporalio/workflow';

/**
 * Runs `count` jobs with at most `limit` in flight (0 = all at once) and returns results in job order.
 * The first failure cancels the jobs still running, so a failed block does not leave work behind.
 */
export async function mapLimited<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  if (count === 0) return [];
  const scope = new CancellationScope();
  return scope.run(async () => {
    try {
      // Unbounded: one promise per job, no lanes (every promise costs a stack capture in the sandbox).
      return await (limit <= 0 || limit >= count
        ? Promise.all(Array.from({ length: count }, (_, i) => job(i)))
        : pool(count, limit, job));
    } catch (err) {
      scope.cancel();
      throw err;
    }
  });
}

async function pool<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return results;
}
