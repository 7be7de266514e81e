import { validateTaskDefinition } from './validate';

const task = (extra: Record<string, unknown>) => ({
  task_id: 't',
  version: '1.0.0',
  type: 'echo',
  config: {},
  ...extra,
});
const codes = (doc: unknown) => validateTaskDefinition(doc).map((e) => `${e.code} ${e.pointer}`);

describe('task definition limits and priority', () => {
  it('accepts a rate with a burst, a concurrency limit and a priority', () => {
    expect(codes(task({ limits: { rate_per_second: 5, burst: 10, concurrency: 2 }, priority: 1 }))).toEqual([]);
    expect(codes(task({ limits: { rate_per_second: 0.5 } }))).toEqual([]);
    expect(codes(task({ limits: { concurrency: 1 } }))).toEqual([]);
  });

  it('refuses a burst without a rate, and out-of-range values with pointers', () => {
    expect(codes(task({ limits: { burst: 3 } }))).toEqual(['burst_without_rate /limits/burst']);
    expect(codes(task({ limits: { rate_per_second: 0 } }))).toEqual([
      'schema.exclusiveMinimum /limits/rate_per_second',
    ]);
    expect(codes(task({ limits: { concurrency: 0 } }))).toEqual(['schema.minimum /limits/concurrency']);
    expect(codes(task({ limits: { rate: 1 } }))).toEqual(['schema.additionalProperties /limits/rate']);
    expect(codes(task({ priority: 6 }))).toEqual(['schema.maximum /priority']);
  });

  it('refuses limits and priority on a manual task (it runs no activity)', () => {
    const manual = task({ type: 'manual', ui_component: { component_id: 'form' } });
    expect(codes({ ...manual, limits: { concurrency: 1 }, priority: 2 })).toEqual([
      'manual_task_flow_control /limits',
      'manual_task_flow_control /priority',
    ]);
  });
});
