import { validateDefinition } from './validate';

const doc = (concurrency: unknown, priority?: unknown): unknown => ({
  workflow_id: 'wf',
  name: 'WF',
  version: '1.0.0',
  steps: [{ id: 'a', type: 'delay', duration: '1s' }],
  concurrency,
  ...(priority !== undefined && { priority }),
});
const codes = (errors: { code: string; pointer: string }[]): string[] => errors.map((e) => `${e.code} ${e.pointer}`);

describe('run concurrency and priority in a definition', () => {
  it('accepts a limit, a key over the input, each policy and a priority of 1 to 5', () => {
    for (const when_full of ['queue', 'reject', 'cancel_oldest'])
      expect(validateDefinition(doc({ limit: 3, key: '{% $input.customer %}', when_full }, 2))).toEqual([]);
    expect(validateDefinition(doc({ limit: 1, key: '{% customer & "-" & $string($input.region) %}' }))).toEqual([]);
    expect(validateDefinition(doc({ limit: 1 }))).toEqual([]);
  });

  it('refuses a key that reads what does not exist when a run starts, at /concurrency/key', () => {
    const errors = validateDefinition(doc({ limit: 2, key: '{% $steps.a.output & $vars.x %}' }));
    expect(codes(errors)).toEqual(['unavailable_variable /concurrency/key', 'unavailable_variable /concurrency/key']);
    expect(errors[0].message).toMatch(/\$input/);
  });

  it('refuses an unparsable key, a bad limit, policy or priority', () => {
    expect(codes(validateDefinition(doc({ limit: 2, key: '{% $input.( %}' })))).toContain(
      'invalid_expression /concurrency/key',
    );
    expect(validateDefinition(doc({ limit: 0 })).map((e) => e.pointer)).toContain('/concurrency/limit');
    expect(validateDefinition(doc({ limit: 1, when_full: 'drop' })).map((e) => e.pointer)).toContain(
      '/concurrency/when_full',
    );
    expect(validateDefinition(doc({ limit: 1 }, 9)).map((e) => e.pointer)).toContain('/priority');
  });
});
