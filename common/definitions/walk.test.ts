/** The walker over nested steps: every block step's lists, in document order, on documents of any shape. */
import { collectTaskRefs } from '../../services/definitions/task-refs';
import type { Step } from './types';
import { childStepLists, NESTED_STEP_KEYS, walkSteps } from './walk';

const steps: Step[] = [
  { id: 'a', type: 'task', task: 't1' },
  {
    id: 'fan',
    type: 'parallel',
    branches: [
      { id: 'b1', steps: [{ id: 'b1a', type: 'task', task: 't2' }] },
      {
        id: 'b2',
        steps: [{ id: 'each', type: 'foreach', items: [1], steps: [{ id: 'inner', type: 'task', task: 't3@1.0.0' }] }],
      },
    ],
  },
  { id: 'z', type: 'succeed' },
];

it('When a definition nests blocks, then every step is visited depth first in document order, with its pointer', () => {
  const seen: string[] = [];
  walkSteps(steps, (s, pointer) => seen.push(`${String(s.id)} ${pointer}`));
  expect(seen).toEqual([
    'a /steps/0',
    'fan /steps/1',
    'b1a /steps/1/branches/0/steps/0',
    'each /steps/1/branches/1/steps/0',
    'inner /steps/1/branches/1/steps/0/steps/0',
    'z /steps/2',
  ]);
  expect(collectTaskRefs(steps).map((r) => r.ref)).toEqual(['t1', 't2', 't3@1.0.0']);
});

it('When a document is not schema-valid, then the walker skips what is not a step or a list', () => {
  const odd: unknown = [
    null,
    'x',
    { id: 'p', type: 'parallel', branches: ['no', { id: 'b', steps: 'no' }] },
    { type: 'foreach' },
  ];
  const seen: string[] = [];
  walkSteps(odd, (s) => seen.push(String(s.id)));
  expect(seen).toEqual(['p', 'undefined']);
  expect(childStepLists((odd as unknown[])[2], '/steps/2').map((n) => n.pointer)).toEqual([
    '/steps/2/branches/1/steps',
  ]);
});

it('When a non-block step holds a block key, then only the any-type reading (for bounds) sees it', () => {
  const task = { id: 't', type: 'task', task: 'x', steps: [{ id: 'n', type: 'succeed' }] };
  expect(childStepLists(task)).toEqual([]);
  expect(childStepLists(task, '', true).map((n) => n.pointer)).toEqual(['/steps']);
  expect([...NESTED_STEP_KEYS].sort()).toEqual(['branches', 'steps']);
});
