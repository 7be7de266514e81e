/**
 * The interpreter's side of redrive (workflows/redrive.ts) against the real dev server with fake activities: a
 * failed run answers `aosRedriveState` with its step in progress and the journal of that step's finished nested
 * executions; a run started with that state reuses them and runs only what had not finished.
 */
import type { Client } from '@temporalio/client';
import type { RedriveStart } from '../../common/definitions/types';
import { aosRedriveStateQuery } from '../../workflows/api';
import { createTestClient, startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';
import { createFakeActivities, type FakeLog } from './fake-activities';
import { startScenario } from './run-scenario';
import { CHILD_DEFINITIONS, def, SCENARIOS, type Scenario } from './scenarios';

const taskQueue = uniqueTaskQueue('redrive');
let client: Client;
let worker: RunningTestWorker;
let log: FakeLog;

beforeAll(async () => {
  const fakes = createFakeActivities(CHILD_DEFINITIONS);
  log = fakes.log;
  client = await createTestClient();
  worker = await startTestWorker({ taskQueue, activities: fakes.activities });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
});

const attemptsOf = (workflowId: string) =>
  log.attempts
    .filter((a) => a.workflowId === workflowId)
    .map((a) => a.stepPath)
    .sort();

// Iteration 2 fails (until `$vars.fixed` is set); iterations run one at a time, so iteration 3 never starts.
const failing: Scenario = {
  ends: 'failed',
  definition: def('redrive-journal', [
    { id: 'first', type: 'set', vars: { seen: 0 } },
    {
      id: 'each',
      type: 'foreach',
      items: '{% [1, 2, 3] %}',
      concurrency: 1,
      steps: [
        { id: 'tick', type: 'task', task: 'echo', input: { v: '{% $item %}' } },
        { id: 'check', type: 'switch', cases: [{ when: '{% $item = 1 %}', next: 'work' }], default: 'work' },
        {
          id: 'work',
          type: 'task',
          task: 'double',
          input: { value: "{% $item = 2 and $not($exists($vars.fixed)) ? $error('item 2 is broken') : $item %}" },
        },
        { id: 'end', type: 'set', vars: { seen: '{% $vars.seen + 1 %}' } },
      ],
    },
    { id: 'done', type: 'succeed', output: { each: '{% $steps.each.output %}', seen: '{% $vars.seen %}' } },
  ]),
};

describe('the redrive journal', () => {
  it('When a foreach iteration fails, then the query names the step in progress and the finished executions', async () => {
    const { handle } = await startScenario(client, taskQueue, 'redrive-journal', failing);
    await expect(handle.result()).rejects.toThrow();
    const state = await handle.query(aosRedriveStateQuery);
    expect(state.position).toBe(1);
    expect(state.vars).toEqual({ seen: 1 });
    expect(Object.keys(state.stepOutputs)).toEqual(['first']);
    expect(Object.keys(state.journal).sort()).toEqual([
      'each.i0.check#1',
      'each.i0.end#1',
      'each.i0.tick#1',
      'each.i0.work#1',
      'each.i1.check#1',
      'each.i1.tick#1',
    ]);
    expect(state.journal['each.i1.check#1']).toEqual({ record: { output: { next: 'work' } }, next: 'work' });
  });

  it('When a run starts with that state, then only the unfinished executions run', async () => {
    const { handle } = await startScenario(client, taskQueue, 'redrive-journal', failing);
    await expect(handle.result()).rejects.toThrow();
    const state = await handle.query(aosRedriveStateQuery);
    const { journal, position, ...rest } = state;
    // As if the cause had been repaired meanwhile.
    const vars = { ...rest.vars, fixed: true };
    const redrive: RedriveStart = { ...rest, vars, position: position ?? 0, reuse: journal };
    const again = await startScenario(client, taskQueue, 'redrive-journal', { ...failing, ends: undefined, redrive });
    await expect(again.handle.result()).resolves.toEqual({
      each: [{ seen: 1 }, { seen: 2 }, { seen: 3 }],
      seen: 3,
    });
    // Iteration 0 reused whole; iteration 1 reused its tick and switch and ran the failed step; iteration 2 ran.
    expect(attemptsOf(again.handle.workflowId)).toEqual(['each.i1.work', 'each.i2.tick', 'each.i2.work']);
  });

  it('When a branch looped through `next`, then each execution matches its own journal entry', async () => {
    const looping: Scenario = {
      ends: 'failed',
      definition: def('redrive-loop', [
        { id: 'init', type: 'set', vars: { n: 0 } },
        {
          id: 'fan',
          type: 'parallel',
          branches: [
            {
              id: 'b',
              steps: [
                { id: 'inc', type: 'set', vars: { n: '{% $vars.n + 1 %}' } },
                { id: 'again', type: 'switch', cases: [{ when: '{% $vars.n < 3 %}', next: 'inc' }] },
                {
                  id: 'work',
                  type: 'task',
                  task: 'echo',
                  input: { n: "{% $exists($vars.fixed) ? $vars.n : $error('not yet') %}" },
                },
              ],
            },
          ],
        },
      ]),
    };
    const { handle } = await startScenario(client, taskQueue, 'redrive-loop', looping);
    await expect(handle.result()).rejects.toThrow();
    const { journal, position, ...rest } = await handle.query(aosRedriveStateQuery);
    expect(Object.keys(journal).sort()).toEqual([
      'fan.b.again#1',
      'fan.b.again#2',
      'fan.b.again#3',
      'fan.b.inc#1',
      'fan.b.inc#2',
      'fan.b.inc#3',
    ]);
    expect(journal['fan.b.again#2'].next).toBe('inc');
    expect(journal['fan.b.again#3'].next).toBeUndefined();
    const redrive: RedriveStart = {
      ...rest,
      vars: { ...rest.vars, fixed: true },
      position: position ?? 0,
      reuse: journal,
    };
    const again = await startScenario(client, taskQueue, 'redrive-loop', { ...looping, ends: undefined, redrive });
    // The loop is replayed from the journal (n stays 3: the set steps do not run again), then the failed task runs.
    await expect(again.handle.result()).resolves.toEqual({ b: { n: 3 } });
    expect(attemptsOf(again.handle.workflowId)).toEqual(['fan.b.work']);
  });

  it('runs the recorded `redriven` scenario: the reused branch and iterations call no activity', async () => {
    const { handle } = await startScenario(client, taskQueue, 'redriven', SCENARIOS.redriven);
    await expect(handle.result()).resolves.toEqual({
      left: { got: 8 },
      right: [{ value: 2 }, { value: 4 }, { value: 6 }],
      base: 4,
    });
    expect(attemptsOf(handle.workflowId)).toEqual(['fan.right.each.i1.work']);
  });
});
