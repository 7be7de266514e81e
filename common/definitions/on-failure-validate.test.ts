import { validateDefinition } from './validate';

const doc = (on_failure: unknown): unknown => ({
  workflow_id: 'wf',
  name: 'WF',
  version: '1.0.0',
  steps: [{ id: 's', type: 'set', vars: { x: 1 } }],
  on_failure,
});
const codes = (errors: { code: string; pointer: string }[]): string[] => errors.map((e) => `${e.code} ${e.pointer}`);

describe('on_failure validation', () => {
  it('accepts a child handler with a $failure template and an event handler', () => {
    expect(
      validateDefinition(
        doc({ type: 'sub_workflow', workflow: 'incident', version: '1.0.0', input: { why: '{% $failure.message %}' } }),
      ),
    ).toEqual([]);
    expect(validateDefinition(doc({ type: 'emit_event', event: 'orders.failed', payload: '{% $failure %}' }))).toEqual(
      [],
    );
  });

  it('points at an expression that does not compile, in input or payload', () => {
    expect(
      codes(validateDefinition(doc({ type: 'sub_workflow', workflow: 'incident', input: { a: '{% $failure.( %}' } }))),
    ).toEqual(['invalid_expression /on_failure/input/a']);
    expect(codes(validateDefinition(doc({ type: 'emit_event', event: 'x.failed', payload: '{% ] %}' })))).toEqual([
      'invalid_expression /on_failure/payload',
    ]);
  });

  it('refuses an unknown handler type, a bad event name and an expression as the handler workflow', () => {
    expect(validateDefinition(doc({ type: 'webhook', url: 'x' })).length).toBeGreaterThan(0);
    expect(
      validateDefinition(doc({ type: 'emit_event', event: 'not an event' })).some((e) =>
        e.pointer.startsWith('/on_failure'),
      ),
    ).toBe(true);
    expect(codes(validateDefinition(doc({ type: 'sub_workflow', workflow: '{% $input.x %}' })))).toContain(
      'on_failure_workflow_expression /on_failure/workflow',
    );
  });
});
