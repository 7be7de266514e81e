/**
 * CODE_HANDLERS_MODULE wiring: an orchestrator worker created from config alone (no handlers passed in)
 * loads the user module and runs its handlers next to the built-ins.
 */
import { randomBytes } from 'node:crypto';
import { startRun } from '../../services/runs';
import { activeTask, activeWorkflow, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(60_000);
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
let h: RunHarness;

beforeAll(async () => {
  h = await startRunHarness({
    env: { CODE_HANDLERS_MODULE: require.resolve('../engine-tasks/fixtures/user-handlers') },
  });
});
afterAll(() => h?.close());

it('a worker configured with CODE_HANDLERS_MODULE runs a handler of that module in a run', async () => {
  const ids = { greet: id('greet'), sum: id('sum'), flow: id('flow') };
  await activeTask(h.db, { task_id: ids.greet, type: 'code', config: { handler: 'greet' } });
  await activeTask(h.db, { task_id: ids.sum, type: 'code', config: { handler: 'sum' } });
  await activeWorkflow(h.db, {
    workflow_id: ids.flow,
    steps: [
      { id: 'hello', type: 'task', task: ids.greet, input: { name: '{% $input.name %}' } },
      { id: 'total', type: 'task', task: ids.sum, input: { values: [1, 2] } },
    ],
    output: '{% { "greeting": $steps.hello.output.greeting, "sum": $steps.total.output.sum } %}',
  } as never);
  const res = await startRun(h.deps, { workflowId: ids.flow, input: { name: 'Ada' } });
  expect(await h.client.workflow.getHandle(res.workflowId).result()).toEqual({ greeting: 'hello, Ada', sum: 3 });
});
