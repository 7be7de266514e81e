import { BLOCK_LIMITS } from './limits';
import { validateDefinition } from './validate';

const doc = (step: Record<string, unknown>): unknown => ({
  workflow_id: 'wf',
  name: 'WF',
  version: '1.0.0',
  steps: [step],
});
const body = [{ id: 's', type: 'set', vars: { x: '{% $item %}' } }];
const pointers = (d: unknown): string[] => validateDefinition(d).map((e) => `${e.code} ${e.pointer}`);

describe('block limits at validation', () => {
  it('accepts blocks exactly at their limits', () => {
    const items = Array.from({ length: BLOCK_LIMITS.foreachMaxItems }, (_, i) => i);
    expect(
      validateDefinition(
        doc({ id: 'each', type: 'foreach', items, concurrency: BLOCK_LIMITS.foreachMaxConcurrency, steps: body }),
      ),
    ).toEqual([]);
    const branches = Array.from({ length: BLOCK_LIMITS.parallelMaxBranches }, (_, i) => ({
      id: `b${i}`,
      steps: [{ id: `s${i}`, type: 'set', vars: { x: i } }],
    }));
    expect(validateDefinition(doc({ id: 'fan', type: 'parallel', branches }))).toEqual([]);
  });

  it('refuses a foreach concurrency above the bound, at its pointer', () => {
    expect(
      pointers(
        doc({
          id: 'each',
          type: 'foreach',
          items: '{% $input %}',
          concurrency: BLOCK_LIMITS.foreachMaxConcurrency + 1,
          steps: body,
        }),
      ),
    ).toEqual(['schema.maximum /steps/0/concurrency']);
  });

  it('refuses a literal foreach list longer than the item limit, at its pointer', () => {
    const items = Array.from({ length: BLOCK_LIMITS.foreachMaxItems + 1 }, (_, i) => i);
    expect(pointers(doc({ id: 'each', type: 'foreach', items, steps: body }))).toContain(
      'schema.maxItems /steps/0/items',
    );
  });

  it('refuses a parallel step with more branches than the limit, at its pointer', () => {
    const branches = Array.from({ length: BLOCK_LIMITS.parallelMaxBranches + 1 }, (_, i) => ({
      id: `b${i}`,
      steps: [{ id: `s${i}`, type: 'set', vars: { x: i } }],
    }));
    expect(pointers(doc({ id: 'fan', type: 'parallel', branches }))).toEqual(['schema.maxItems /steps/0/branches']);
  });
});
