/** The compiled trigger set finds exactly the triggers the `*`/`**` matcher accepts, whatever the mix. */
import { matchesPattern } from '../../../common/events/pattern';
import { compileTriggers, matchingTriggers } from './trigger-set';

type Row = { id: number; event_pattern: string };

const rows = (patterns: string[]): Row[] => patterns.map((event_pattern, id) => ({ id, event_pattern }));
const ids = (xs: Row[]) => xs.map((r) => r.id).sort((a, b) => a - b);

describe('compiled trigger set', () => {
  it('matches exact names, wildcards by first segment, and leading wildcards', () => {
    const set = compileTriggers(
      rows(['order.created', 'order.*', 'order.**', '*.created', '**', 'invoice.created', 'order.*.x', '**.created']),
    );
    expect(ids(matchingTriggers(set, 'order.created'))).toEqual([0, 1, 2, 3, 4, 7]);
    expect(ids(matchingTriggers(set, 'invoice.created'))).toEqual([3, 4, 5, 7]);
    expect(ids(matchingTriggers(set, 'order'))).toEqual([2, 4]);
    expect(ids(matchingTriggers(set, 'order.a.x'))).toEqual([2, 4, 6]);
    expect(ids(matchingTriggers(set, 'other'))).toEqual([4]);
  });

  it('lists exact matches before wildcard matches, each in the given order', () => {
    const set = compileTriggers(rows(['a.*', 'a.b', '*.b', 'a.b']));
    expect(matchingTriggers(set, 'a.b').map((r) => r.id)).toEqual([1, 3, 0, 2]);
  });

  it('agrees with matchesPattern over random patterns and names', () => {
    // A small deterministic generator: segments from a tiny alphabet so that matches are frequent.
    let seed = 42;
    const rand = (n: number) => (((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n) + n) % n;
    const names = ['a', 'b', 'c'];
    const seg = (wild: boolean) => (wild && rand(3) === 0 ? (rand(2) ? '*' : '**') : names[rand(names.length)]!);
    const make = (wild: boolean) => Array.from({ length: 1 + rand(4) }, () => seg(wild)).join('.');
    for (let round = 0; round < 50; round++) {
      const triggers = rows(Array.from({ length: 30 }, () => make(true)));
      const set = compileTriggers(triggers);
      expect(set.size).toBe(30);
      for (let k = 0; k < 30; k++) {
        const name = make(false);
        expect(ids(matchingTriggers(set, name))).toEqual(
          ids(triggers.filter((t) => matchesPattern(t.event_pattern, name))),
        );
      }
    }
  });
});
