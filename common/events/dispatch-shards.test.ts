import { allShards, dispatchHashOf, eventDispatchHash, shardsOf } from './dispatch-shards';

describe('dispatch hash and shards', () => {
  it('hashes a key to the first 31 bits of its MD5, the same as the SQL event_dispatch_hash', () => {
    // md5('a') = 0cc175b9..., md5('order-1') = 6e7f85a9...; md5('b') = 92eb5ffe... loses its top bit.
    expect(dispatchHashOf('a')).toBe(0x0cc175b9);
    expect(dispatchHashOf('order-1')).toBe(0x6e7f85a9);
    expect(dispatchHashOf('b')).toBe(0x12eb5ffe);
    for (const k of ['', 'ключ', '🎉', 'x'.repeat(600)]) {
      expect(dispatchHashOf(k)).toBeGreaterThanOrEqual(0);
      expect(dispatchHashOf(k)).toBeLessThan(2 ** 31);
    }
  });

  it('hashes an event by its sequence key, else by its event id', () => {
    expect(eventDispatchHash({ eventId: 'e1', sequenceKey: 'k' })).toBe(dispatchHashOf('k'));
    expect(eventDispatchHash({ eventId: 'e1', sequenceKey: null })).toBe(dispatchHashOf('e1'));
  });

  it('maps hashes to their distinct shards, in index order', () => {
    expect(shardsOf([7, 3, 11, 4], 4)).toEqual([
      { index: 0, count: 4 },
      { index: 3, count: 4 },
    ]);
    expect(allShards(3)).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
  });
});
