import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateTestDefinition, workflowTarget, type TestTarget } from './test-definition-validate';

const workflow = {
  workflow_id: 'orders',
  steps: [
    { id: 'charge', type: 'task', task: 'payment@1.0.0' },
    { id: 'approve', type: 'human_task', title: 'Approve' },
    {
      id: 'each',
      type: 'foreach',
      items: '{% $input.items %}',
      steps: [{ id: 'ship', type: 'task', task: 'shipping' }],
    },
    { id: 'wait', type: 'wait_for_event', event: 'paid' },
  ],
};
const target = workflowTarget('orders@1.0.0', workflow);

const doc = (cases: unknown[], extra: Record<string, unknown> = {}) => ({
  test_id: 'orders-tests',
  version: '1.0.0',
  name: 'Orders',
  target_type: 'workflow',
  target_id: 'orders',
  test_cases: cases,
  ...extra,
});
const pointers = (d: unknown, t: TestTarget | undefined = target) => validateTestDefinition(d, t).map((e) => e.pointer);

describe('validateTestDefinition', () => {
  it('accepts a full valid document against its target, nested steps included', () => {
    const valid = doc(
      [
        {
          case_id: 'happy',
          tags: ['smoke'],
          input: { items: [1] },
          mocks: [
            { step: 'charge', attempts: [{ error: { type: 'Declined' } }, { output: { ok: true }, delay: '2s' }] },
            { task: 'shipping', when: 'attempt > 1', output: null },
            { step: 'ship', real: true },
          ],
          events: [{ event: 'paid', at_step: 'wait', after: 'PT1H' }],
          human_tasks: [{ step: 'approve', user: 'ann', action: 'approve', data: { note: 'ok' } }],
          expect: {
            status: 'completed',
            assert: ['output.ok = true', '$count(path) > 1'],
            path_contains: ['charge', 'ship'],
            path_excludes: ['wait'],
            steps: { charge: { ok: true } },
            max_duration: '3d',
          },
        },
      ],
      { settings: { concurrency: 4, time_scale: 1000, case_timeout: '60s', unmocked: 'run' } },
    );
    expect(validateTestDefinition(valid, target)).toEqual([]);
  });

  it('reports schema, semantic and target errors all at once, each with its pointer', () => {
    const bad = doc(
      [
        { case_id: 'a', mocks: [{ step: 'charge', task: 'payment', output: 1, error: { type: 'X' } }] },
        {
          case_id: 'a',
          time_scale: 0,
          mocks: [{ output: 1 }, { step: 'approve' }, { step: 'nope' }, { task: 'unused', when: '(' }],
          events: [{ event: 'paid', at_step: 'ghost', after: 'PT' }],
          human_tasks: [{ step: 'charge', user: 'u', action: 'ok' }],
          expect: { assert: 'output.(', path: ['charge', 'missing'], steps: { gone: 1 }, bogus: true },
        },
      ],
      { settings: { concurrency: 17 } },
    );
    const found = pointers(bad);
    expect(found).toEqual(
      expect.arrayContaining([
        '/settings/concurrency',
        '/test_cases/1/time_scale',
        '/test_cases/1/expect/bogus',
        '/test_cases/0/mocks/0',
        '/test_cases/1/case_id',
        '/test_cases/1/mocks/0',
        '/test_cases/1/mocks/1/step',
        '/test_cases/1/mocks/2/step',
        '/test_cases/1/mocks/3/task',
        '/test_cases/1/mocks/3/when',
        '/test_cases/1/events/0/at_step',
        '/test_cases/1/events/0/after',
        '/test_cases/1/human_tasks/0/step',
        '/test_cases/1/expect/assert',
        '/test_cases/1/expect/path/1',
        '/test_cases/1/expect/steps/gone',
      ]),
    );
    // both step and task, and both output and error, on the same mock
    expect(validateTestDefinition(bad, target).filter((e) => e.pointer === '/test_cases/0/mocks/0')).toHaveLength(2);
  });

  it('refuses workflow-only fields on a task target and mocks of other tasks', () => {
    const t: TestTarget = { type: 'task', label: 'payment@1.0.0', taskId: 'payment' };
    const d = doc(
      [
        {
          case_id: 'x',
          mocks: [{ task: 'other', output: 1 }, { step: 'charge' }],
          events: [{ event: 'paid' }],
          human_tasks: [],
          expect: { path: [], path_contains: [], path_excludes: [], steps: {}, events: [] },
        },
      ],
      { target_type: 'task', target_id: 'payment' },
    );
    expect(pointers(d, t).sort()).toEqual(
      [
        '/test_cases/0/mocks/0/task',
        '/test_cases/0/mocks/1/step',
        '/test_cases/0/events',
        '/test_cases/0/human_tasks',
        '/test_cases/0/expect/path',
        '/test_cases/0/expect/path_contains',
        '/test_cases/0/expect/path_excludes',
        '/test_cases/0/expect/steps',
        '/test_cases/0/expect/events',
      ].sort(),
    );
  });

  it('bounds the document: too many cases, durations in the wrong form, unknown fields', () => {
    const many = doc(Array.from({ length: 1001 }, (_, i) => ({ case_id: `c${i}` })));
    expect(pointers(many)).toContain('/test_cases');
    expect(pointers(doc([{ case_id: 'd', case_timeout: '3 days' }]))).toEqual(['/test_cases/0/case_timeout']);
    expect(pointers({ ...doc([]), extra: 1 })).toEqual(['/extra']);
    expect(pointers({ ...doc([]), $schema: 'https://x/schemas/test-definition.json' })).toEqual([]);
  });
});

describe('docs/testing.md', () => {
  it('has test definition examples that are valid documents', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'docs', 'testing.md'), 'utf8');
    const blocks = [...text.matchAll(/```json\n([\s\S]*?)\n```/g)].map(
      (m) => JSON.parse(m[1]) as Record<string, unknown>,
    );
    const docs = blocks.filter((b) => 'test_cases' in b);
    expect(docs.length).toBeGreaterThanOrEqual(2);
    for (const d of docs)
      expect({ test_id: d.test_id, errors: validateTestDefinition(d) }).toEqual({ test_id: d.test_id, errors: [] });
  });
});
