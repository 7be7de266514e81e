/** Concurrency helpers for blocks: all-or-cancel joins and a bounded pool, both deterministic. */
import { CancellationScope } from '@temporalio/workflow';

/**
 * Runs `count` jobs with at most `limit` in flight (0 = all at once) and returns results in job order.
 * The first failure cancels the jobs still running, so a failed block does not leave work behind.
 */
export async function mapLimited<T>(count: number, limit: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  const lanes = Math.max(1, Math.min(limit > 0 ? limit : count, count));
  if (count === 0) return results;
  const scope = new CancellationScope();
  await scope.run(async () => {
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } catch (err) {
      scope.cancel();
      throw err;
    }
  });
  return results;
}
