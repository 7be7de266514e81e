import { checkExpectations, differences, type CaseActual } from './expectations';
import { coverageOf } from './coverage';

const actual = (over: Partial<CaseActual> = {}): CaseActual => ({
  status: 'completed',
  output: { total: 12, lines: [{ sku: 'a' }, { sku: 'b' }], note: 'x' },
  steps: { price: { output: { total: 12, currency: 'EUR' } } },
  path: ['price', 'route', 'charge', 'done'],
  events: [
    { event: 'order.priced', payload: { id: 1 } },
    { event: 'order.charged', payload: { id: 1, amount: 12 } },
  ],
  simulatedDurationMs: 5_000,
  durationMs: 5,
  ...over,
});

const failed = (results: Awaited<ReturnType<typeof checkExpectations>>) => results.filter((r) => !r.passed);

describe('differences', () => {
  it('reports every mismatch with its pointer (exact), or only what is missing (contains)', () => {
    expect(differences({ a: 1, b: [1, 2] }, { a: 2, b: [1, 3], c: 0 }, 'exact')).toEqual([
      { pointer: '/a', expected: 1, actual: 2, message: 'differs' },
      { pointer: '/b/1', expected: 2, actual: 3, message: 'differs' },
      { pointer: '/c', expected: undefined, actual: 0, message: 'is not expected' },
    ]);
    expect(differences({ a: 1 }, { a: 1, c: 0 }, 'contains')).toEqual([]);
    expect(differences({ 'x/y': 1 }, {}, 'contains')[0].pointer).toBe('/x~1y');
    expect(differences([1, 2], [1], 'contains')[0].message).toBe('has 1 items, expected at least 2');
  });
});

describe('checkExpectations', () => {
  it('passes what matches and says so', async () => {
    const results = await checkExpectations(
      {
        output_contains: { total: 12, lines: [{ sku: 'a' }] },
        path: ['price', 'route', 'charge', 'done'],
        path_contains: ['price', 'done'],
        path_excludes: ['declined'],
        steps: { price: { currency: 'EUR' } },
        events: [{ event: 'order.charged', payload: { amount: 12 } }],
        max_duration: '10s',
        assert: ['$output.total = 12', '{% $count($path) = 4 %}'],
      },
      actual(),
    );
    expect(failed(results)).toEqual([]);
    expect(results.map((r) => r.expectation)).toContain('assert[1]');
  });

  it('fails each expectation with its pointer, expected and actual', async () => {
    const results = await checkExpectations(
      {
        output: { total: 13 },
        path: ['price', 'charge'],
        path_contains: ['done', 'price'],
        path_excludes: ['charge'],
        steps: { missing: 1, price: { currency: 'USD' } },
        events: [{ event: 'order.charged', payload: { amount: 99 } }],
        max_duration: '1s',
        assert: '$output.total > 100',
      },
      actual(),
    );
    const byName = Object.fromEntries(failed(results).map((r) => [`${r.expectation} ${r.pointer}`, r]));
    expect(byName['output /output/total']).toMatchObject({ expected: 13, actual: 12 });
    expect(byName['output /output/lines']).toMatchObject({ message: 'is not expected' });
    expect(byName['path /path/1']).toMatchObject({ expected: 'charge', actual: 'route' });
    expect(byName['path_contains /path'].message).toBe('step "price" did not run after "done"');
    expect(byName['path_excludes /path/2']).toMatchObject({ actual: 'charge' });
    expect(byName['steps.missing /steps/missing'].message).toBe('did not run');
    expect(byName['steps.price /steps/price/output/currency']).toMatchObject({ expected: 'USD', actual: 'EUR' });
    expect(byName['events /events']).toBeDefined();
    expect(byName['max_duration /duration_ms']).toMatchObject({ expected: 1000, actual: 5000 });
    expect(byName['assert /assert']).toMatchObject({ actual: false, message: 'is not true' });
  });

  it('expects completed by default, failed when an error is expected, and checks the error', async () => {
    const run = actual({ status: 'failed', output: undefined, error: { type: 'CardDeclined', message: 'no funds' } });
    expect(failed(await checkExpectations({}, run))[0]).toMatchObject({
      pointer: '/status',
      expected: 'completed',
      actual: 'failed',
      message: 'is failed: CardDeclined: no funds',
    });
    expect(
      failed(await checkExpectations({ error: { type: 'CardDeclined', message_contains: 'funds' } }, run)),
    ).toEqual([]);
    expect(failed(await checkExpectations({ error: { type: 'Other' } }, run))[0]).toMatchObject({
      pointer: '/error/type',
      expected: 'Other',
      actual: 'CardDeclined',
    });
  });

  it('reports an assertion that cannot be evaluated instead of throwing', async () => {
    const [, result] = await checkExpectations({ assert: '$undefinedFunction()' }, actual());
    expect(result).toMatchObject({ expectation: 'assert', passed: false });
    expect(result.message).toMatch(/^cannot be evaluated: /);
  });
});

describe('coverageOf', () => {
  const definition = {
    steps: [
      { id: 'a', type: 'task', task: 't' },
      {
        id: 'sw',
        type: 'switch',
        cases: [
          { when: 'x', next: 'b' },
          { when: 'y', next: 'c' },
        ],
        default: 'd',
      },
      { id: 'b', type: 'parallel', branches: [{ id: 'l', steps: [{ id: 'b1', type: 'task', task: 't' }] }] },
      { id: 'c', type: 'succeed' },
      { id: 'd', type: 'succeed' },
    ],
  } as never;

  it('counts nested steps and switch branches, and lists the unreached', () => {
    const coverage = coverageOf(definition, [
      { steps: ['a', 'sw', 'b', 'b1'], branches: ['sw#0'] },
      { steps: ['a', 'sw', 'd'], branches: ['sw#default'] },
    ]);
    expect(coverage.steps).toEqual({ total: 6, visited: 5, percent: 83.3, unreached: ['c'] });
    expect(coverage.branches).toEqual({ total: 3, visited: 2, percent: 66.7, unreached: ['sw#1'] });
  });
});
