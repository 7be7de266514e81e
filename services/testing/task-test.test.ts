/** The bound of a single-task test's attempt: the task's own timeouts as a run applies them, capped. */
import type { TaskDefinitionSnapshot } from '../../common/definitions/types';
import { MAX_TASK_TEST_MS, taskTestTimeoutMs } from './task-test';

const task = (timeouts?: TaskDefinitionSnapshot['timeouts']): TaskDefinitionSnapshot => ({
  task_id: 't',
  version: '1.0.0',
  name: 't',
  type: 'echo',
  config: {},
  ...(timeouts && { timeouts }),
});

describe('taskTestTimeoutMs', () => {
  it('is the run default (60 s) when the task sets no timeout', () => {
    expect(taskTestTimeoutMs(task())).toBe(60_000);
  });

  it('is the shorter of start_to_close and schedule_to_close', () => {
    expect(taskTestTimeoutMs(task({ start_to_close: '20s' }))).toBe(20_000);
    expect(taskTestTimeoutMs(task({ start_to_close: '20s', schedule_to_close: '5s' }))).toBe(5_000);
  });

  it('never passes the cap, and a requested bound only shortens it', () => {
    expect(taskTestTimeoutMs(task({ start_to_close: '2h' }))).toBe(MAX_TASK_TEST_MS);
    expect(taskTestTimeoutMs(task({ start_to_close: '20s' }), 500)).toBe(500);
    expect(taskTestTimeoutMs(task({ start_to_close: '20s' }), 10 * 60_000)).toBe(20_000);
  });
});
