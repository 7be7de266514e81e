/** evaluateNow: the same answers as evaluate, without a promise when every expression is a simple path. */
import type { Frame, RunState } from './runtime';
import { evaluate, evaluateNow, isPromise } from './expressions';

// Outside a workflow there is no history to consult: the code under test is that of new runs (every patch applies).
jest.mock('@temporalio/workflow', () => ({ ...jest.requireActual('@temporalio/workflow'), patched: () => true }));

const run = {
  input: {
    input: { order: { id: 7, lines: [{ qty: 2 }, { qty: 3 }] } },
    definition: { workflow_id: 'wf', version: '1.0.0', name: 'wf', steps: [] },
    instanceId: 'i-1',
    tasks: {},
  },
  workflowId: 'wf-1',
  runId: 'r-1',
  vars: { label: 'x' },
  steps: { s0: { output: { n: 1 } } },
  limits: { freeSlots: 0, task: { historyLength: 0, steps: 0, expressionSteps: 0 } },
} as unknown as RunState;
const frame: Frame = { path: [], overlays: [], top: true };

describe('evaluateNow', () => {
  it.each([
    ['a literal', { i: 1, text: 'plain' }],
    ['a whole simple path', '{% $steps.s0.output %}'],
    [
      'simple paths in an object and an array',
      { previous: '{% $steps.s0.output.n %}', list: ['{% $vars.label %}', 2], missing: '{% $vars.nope %}' },
    ],
    ['simple paths embedded in text', 'order {% $input.order.id %} by {% $vars.label %}'],
  ])('answers %s synchronously, exactly as evaluate does', async (_, template) => {
    const now = evaluateNow(template, run, frame, 'test');
    expect(isPromise(now)).toBe(false);
    expect(now).toEqual(await evaluate(template, run, frame, 'test'));
  });

  it.each([
    ['an operator', '{% $steps.s0.output.n + 1 %}'],
    ['an array path', { qty: '{% $input.order.lines.qty %}' }],
    ['a function in text', 'total {% $sum($input.order.lines.qty) %}'],
  ])('hands %s to JSONata (a promise) with the same answer', async (_, template) => {
    const now = evaluateNow(template, run, frame, 'test');
    expect(isPromise(now)).toBe(true);
    expect(await now).toEqual(await evaluate(template, run, frame, 'test'));
  });
});
