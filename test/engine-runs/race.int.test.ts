/**
 * Issue #16 item 1: a `parallel` step with `mode: "race"`: the first branch to finish wins (output `{ branch,
 * output }`), the others are cancelled and their `catch` for `Cancelled` compensates before the step ends; a
 * branch failing first fails the step (others cancelled, catchable); validation refuses output_mode in a race.
 */
import { validateDefinition } from '../../common/definitions/validate';
import { startRun } from '../../services/runs';
import { activeTask, activeWorkflow, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(120_000);
let h: RunHarness;
const p = `rc${Date.now().toString(36)}`;

beforeAll(async () => {
  h = await startRunHarness();
  await activeTask(h.db, {
    task_id: `${p}-sleep`,
    type: 'code',
    config: { handler: 'sleep' },
    timeouts: { start_to_close: '60s', heartbeat: '2s' },
  });
  await activeTask(h.db, { task_id: `${p}-echo`, type: 'echo' });
  await activeTask(h.db, {
    task_id: `${p}-fail`,
    type: 'code',
    config: { handler: 'fail' },
  });
});
afterAll(() => h?.close());

const rows = (instanceId: string) =>
  h.db('task_execution_service.task_instances').where({ workflow_instance_id: instanceId }).orderBy('created_at');

async function run(workflowId: string, steps: unknown[]): Promise<{ id: string; result: Promise<unknown> }> {
  await activeWorkflow(h.db, { workflow_id: workflowId, steps: steps as never });
  const started = await startRun(h.deps, { workflowId, input: {} });
  return { id: started.instanceId, result: h.client.workflow.getHandle(started.workflowId).result() };
}

it('takes the first branch to finish, cancels the slower one and lets it compensate', async () => {
  const { id, result } = await run(`${p}-race`, [
    {
      id: 'first',
      type: 'parallel',
      mode: 'race',
      branches: [
        {
          id: 'slow',
          steps: [
            {
              id: 'long',
              type: 'task',
              task: `${p}-sleep`,
              input: { ms: 30000 },
              catch: [{ errors: ['Cancelled'], next: 'undo' }],
            },
            { id: 'undo', type: 'task', task: `${p}-echo`, input: { undone: true } },
          ],
        },
        {
          id: 'fast',
          // A moment first, so the slow branch's task is running (not only scheduled) when it loses.
          steps: [
            { id: 'head_start', type: 'delay', duration: '1500ms' },
            { id: 'quick', type: 'task', task: `${p}-echo`, input: { fast: true } },
          ],
        },
      ],
    },
    { id: 'after', type: 'succeed', output: '{% $steps.first.output %}' },
  ]);
  await expect(result).resolves.toEqual({ branch: 'fast', output: { fast: true } });
  const tasks = await rows(id);
  const byPath = Object.fromEntries(tasks.map((t) => [t.step_path, t.status]));
  expect(byPath['first.fast.quick']).toBe('completed');
  expect(byPath['first.slow.undo']).toBe('completed'); // compensation ran before the step ended
  // The loser's activity learns of its cancellation at its next heartbeat (TRY_CANCEL: the run does not wait).
  expect(byPath['first.slow.long']).not.toBe('completed');
  for (let i = 0; i < 50; i++) {
    const long = (await rows(id)).find((t) => t.step_path === 'first.slow.long');
    expect(long).toBeDefined();
    if (long.status !== 'running') return expect(long.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the cancelled branch task stayed running');
});

it('fails the step when a branch fails before any finishes, cancelling the others (catchable)', async () => {
  const { result } = await run(`${p}-fails`, [
    {
      id: 'first',
      type: 'parallel',
      mode: 'race',
      branches: [
        { id: 'slow', steps: [{ id: 'long', type: 'task', task: `${p}-sleep`, input: { ms: 30000 } }] },
        { id: 'bad', steps: [{ id: 'boom', type: 'task', task: `${p}-fail`, input: { type: 'Broken' } }] },
      ],
      catch: [{ errors: ['Broken'], next: 'handled' }],
    },
    { id: 'unreached', type: 'succeed' },
    { id: 'handled', type: 'succeed', output: '{% $steps.first.error %}' },
  ]);
  await expect(result).resolves.toMatchObject({ type: 'Broken', instance: '/steps/0/branches/1/steps/0' });
});

it('refuses output_mode in a race, with its pointer', () => {
  const errors = validateDefinition({
    workflow_id: 'x',
    name: 'x',
    version: '1.0.0',
    steps: [
      {
        id: 'r',
        type: 'parallel',
        mode: 'race',
        output_mode: 'array',
        branches: [{ id: 'a', steps: [{ id: 'a1', type: 'set', vars: { a: 1 } }] }],
      },
    ],
  });
  expect(errors.map((e) => `${e.code} ${e.pointer}`)).toEqual(['output_mode_in_race /steps/0/output_mode']);
});
