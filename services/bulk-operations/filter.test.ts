/** A trigger's pattern as a regular expression matches exactly the event names the router's matcher does. */
import { matchesPattern } from '../../common/events/pattern';
import { patternRegex } from './filter';

const NAMES = [
  'order',
  'order.placed',
  'order.paid',
  'order.placed.eu',
  'shop.order.placed',
  'order-x.placed',
  'a.b.c.d',
];
const PATTERNS = ['order.placed', 'order.*', '*.placed', 'order.**', '**.placed', '**', '*', 'a.**.d', 'order.**.eu'];

describe('patternRegex', () => {
  it.each(PATTERNS)('%s matches what matchesPattern matches', (pattern) => {
    const re = new RegExp(patternRegex(pattern));
    for (const name of NAMES)
      expect({ name, matched: re.test(`.${name}`) }).toEqual({ name, matched: matchesPattern(pattern, name) });
  });
});
