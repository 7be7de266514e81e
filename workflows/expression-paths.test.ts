/** The simple-path fast path answers exactly what JSONata answers, or steps aside. */
import jsonata from 'jsonata';
import { NOT_SIMPLE, readSimplePath } from './expression-paths';

const vars: Record<string, unknown> = {
  input: { order: { id: 7, lines: [{ sku: 'a' }, { sku: 'b' }], note: null, nested: { deep: { x: 'y' } } } },
  steps: { s0: { output: { ok: true, n: 0, empty: '', list: [[1, 2], [3]] } }, s1: { output: null } },
  vars: { count: 3 },
  event: undefined,
  item: 'text',
};

const jsonataSays = async (src: string) => jsonata(src).evaluate(vars.input, vars);

describe('readSimplePath', () => {
  it.each([
    '$input',
    '$input.order',
    '$input.order.id',
    '$input.order.nested.deep',
    '$input.order.note',
    '$input.order.missing',
    '$input.order.missing.more',
    '$steps.s0.output',
    '$steps.s0.output.ok',
    '$steps.s0.output.n',
    '$steps.s0.output.empty',
    '$steps.s1.output',
    '$steps.s9.output',
    '$vars.count',
    '$item',
    '  $vars.count  ',
  ])('when the path is plain objects to a non-array value, then it reads %s directly, as JSONata does', async (src) => {
    const direct = readSimplePath(src, vars);
    expect(direct).not.toBe(NOT_SIMPLE);
    expect(direct).toEqual(await jsonataSays(src));
  });

  it.each([
    '$input.order.lines',
    '$input.order.lines.sku',
    '$steps.s0.output.list',
    '$input.order.note.x',
    '$event',
    '$event.name',
    '$string',
    '$now',
    '$input.order.constructor',
    '$input.order.toString',
    '$input.order.id + 1',
    '$steps.`s0`.output',
    'order.id',
    '$',
    '$$',
    '$input["order"]',
    '$input.order.lines[0]',
    '$undefinedVariable',
  ])(
    'when JSONata semantics matter (arrays, unbound names, operators, inheritance), then it steps aside for %s',
    (src) => {
      expect(readSimplePath(src, vars)).toBe(NOT_SIMPLE);
    },
  );
});
