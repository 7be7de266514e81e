/** Task definition snapshots used by engine tests, the replay recorder and the benchmark. */
import type { TaskDefinitionSnapshot } from '../../common/definitions/types';

const code = (
  task_id: string,
  config: Record<string, unknown>,
  extra: Partial<TaskDefinitionSnapshot> = {},
): TaskDefinitionSnapshot => ({
  task_id,
  version: '1.0.0',
  type: 'code',
  config,
  timeouts: { start_to_close: '10s', heartbeat: '2s' },
  ...extra,
});

/** Every task the test definitions reference, keyed by task_id. */
export const TEST_TASKS: Record<string, TaskDefinitionSnapshot> = {
  noop: { task_id: 'noop', version: '1.0.0', type: 'noop', config: {} },
  echo: { task_id: 'echo', version: '1.0.0', type: 'echo', config: {} },
  double: { task_id: 'double', version: '1.0.0', type: 'transform', config: { expression: '{ "value": value * 2 }' } },
  flaky: code(
    'flaky',
    { handler: 'flaky', failTimes: 2 },
    { retry_policy: { max_attempts: 5, initial_interval: '200ms', backoff_coefficient: 2 } },
  ),
  reject: code('reject', { handler: 'reject', errorType: 'LedgerRejected' }),
  slow: code('slow', { handler: 'slow', ms: 200 }),
  record: code('record', { handler: 'record' }),
  urgent: {
    task_id: 'urgent',
    version: '1.0.0',
    type: 'echo',
    config: {},
    priority: 1,
    limits: { rate_per_second: 100, concurrency: 1 },
  },
};
