/**
 * The benchmark's workflow bundle: the interpreter plus hand-written Temporal workflows doing the same work
 * (a sequence of no-op activities, a fan-out of no-op activities), the baseline the interpreter is measured against.
 */
import { proxyActivities } from '@temporalio/workflow';

export { interpreterWorkflow } from '../workflows';

const { noop } = proxyActivities<{ noop(input: unknown): Promise<unknown> }>({
  startToCloseTimeout: 60_000,
  retry: { maximumAttempts: 3, initialInterval: 1_000, backoffCoefficient: 2 },
});

/** `steps` no-op activities one after another. */
export async function handWrittenSequence(steps: number): Promise<unknown> {
  let last: unknown = null;
  for (let i = 0; i < steps; i++) last = await noop({ i, previous: last });
  return last;
}

/** `branches` no-op activities at once, joined. */
export async function handWrittenParallel(branches: number): Promise<unknown> {
  return Promise.all(Array.from({ length: branches }, (_, i) => noop({ i })));
}
