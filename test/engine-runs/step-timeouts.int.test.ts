/**
 * Step-level activity timeouts (`timeouts: { start_to_close, schedule_to_close, heartbeat }` on a task step)
 * on the real stack: they reach the scheduled activity, and a task that stops heartbeating fails the step with
 * `Timeout`, which the step's catch handles.
 */
import { randomBytes } from 'node:crypto';
import { startRun } from '../../services/runs';
import { activeTask, activeWorkflow, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(60_000);
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const ids = { stall: id('stall'), echo: id('echo'), flow: id('flow') };
let h: RunHarness;

beforeAll(async () => {
  h = await startRunHarness({ env: { CODE_HANDLERS_MODULE: require.resolve('./fixtures/stall-handlers') } });
  // The task definition allows a long silence; the step narrows it.
  await activeTask(h.db, {
    task_id: ids.stall,
    type: 'code',
    config: { handler: 'stall' },
    timeouts: { heartbeat: '30s', start_to_close: '1m' },
  });
  await activeTask(h.db, { task_id: ids.echo, type: 'echo' });
  await activeWorkflow(h.db, {
    workflow_id: ids.flow,
    steps: [
      {
        id: 'stuck',
        type: 'task',
        task: ids.stall,
        timeout: '45s',
        timeouts: { heartbeat: '1s', schedule_to_close: '40s' },
        retry: { max_attempts: 1 },
        catch: [{ errors: ['Timeout'], next: 'recover', into: 'err' }],
      },
      { id: 'unreached', type: 'succeed' },
      { id: 'recover', type: 'task', task: ids.echo, input: { recovered: true } },
    ],
    output: '{% { "err": $vars.err, "recovered": $steps.recover.output.recovered } %}',
  } as never);
});

afterAll(() => h?.close());

it('a task that stops heartbeating fails its step with Timeout within the step heartbeat timeout, and the catch runs', async () => {
  const started = Date.now();
  const res = await startRun(h.deps, { workflowId: ids.flow, input: {} });
  const handle = h.client.workflow.getHandle(res.workflowId);
  const output = (await handle.result()) as { err: { type: string; message: string }; recovered: boolean };
  expect(output.recovered).toBe(true);
  expect(output.err.type).toBe('Timeout');
  expect(output.err.message).toMatch(/heartbeat/i);
  expect(Date.now() - started).toBeLessThan(15_000); // the task's own 30s heartbeat timeout did not apply

  const history = await handle.fetchHistory();
  const scheduled = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes)
    .find((a) => a?.activityType?.name === 'runTask');
  const seconds = (d: { seconds?: unknown } | null | undefined) => Number(d?.seconds ?? 0);
  expect(seconds(scheduled?.heartbeatTimeout)).toBe(1);
  expect(seconds(scheduled?.scheduleToCloseTimeout)).toBe(40);
  expect(seconds(scheduled?.startToCloseTimeout)).toBe(40); // the server caps start-to-close at schedule-to-close
});
