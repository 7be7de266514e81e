import { eventNameError, isWildcard, matchesPattern, patternError } from './pattern';

describe('event patterns', () => {
  it.each([
    ['order.created', 'order.created', true],
    ['order.created', 'order.updated', false],
    ['order.*', 'order.created', true],
    ['order.*', 'order.created.v2', false],
    ['order.**', 'order.created.v2', true],
    ['order.**', 'order', true],
    ['**', 'anything.at.all', true],
    ['*.created', 'invoice.created', true],
    ['**.created', 'a.b.created', true],
    ['**.created', 'a.b.updated', false],
    ['a.**.z', 'a.z', true],
    ['a.**.z', 'a.b.c.z', true],
    ['a.*.z', 'a.z', false],
  ])('pattern %s vs %s -> %s', (pattern, name, expected) => {
    expect(matchesPattern(pattern, name)).toBe(expected);
  });

  it('rejects malformed patterns and wildcard event names', () => {
    expect(patternError('order..created')).toBeDefined();
    expect(patternError('order.cre*ted')).toBeDefined();
    expect(patternError('order.**')).toBeUndefined();
    expect(eventNameError('order.*')).toBeDefined();
    expect(eventNameError('order.created')).toBeUndefined();
    expect(isWildcard('a.*.b')).toBe(true);
    expect(isWildcard('a.b')).toBe(false);
  });
});
