import { MAX_PATTERN_INPUT, cappedRegExp, unsafePatternErrors } from './regex-safety';

describe('payload schema regex safety', () => {
  it('accepts ordinary patterns and pattern-like data inside const, enum and examples', () => {
    const schema = {
      properties: { sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' }, pattern: { type: 'string' } },
      const: { pattern: '(a+)+$' },
      examples: [{ pattern: '(a+)+$' }],
    };
    expect(unsafePatternErrors(schema, '/s')).toEqual([]);
  });

  it('names every nested-quantifier or invalid regex by its pointer', () => {
    const schema = {
      items: { pattern: '(a+)+$' },
      patternProperties: { '(': {}, '^ok$': {} },
      anyOf: [{ pattern: '(.*a){12}' }],
    };
    expect(
      unsafePatternErrors(schema, '/s')
        .map((e) => e.pointer)
        .sort(),
    ).toEqual(['/s/anyOf/0/pattern', '/s/items/pattern', '/s/patternProperties/(']);
  });

  it('never tests a string longer than the cap', () => {
    const re = cappedRegExp('^a*$', 'u');
    expect(re.test('a'.repeat(MAX_PATTERN_INPUT))).toBe(true);
    expect(re.test('a'.repeat(MAX_PATTERN_INPUT + 1))).toBe(false);
  });
});
