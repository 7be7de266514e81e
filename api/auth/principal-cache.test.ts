/** The principal cache: a lookup that began before a clear does not put what it read back after it. */
import { PrincipalCache } from './principal-cache';
import type { Principal } from './principal';

const alice: Principal = { userId: 'u1', username: 'alice', permissions: new Set(['x:read']), via: 'token' };

describe('PrincipalCache', () => {
  it('keeps an entry read under the current generation', () => {
    const cache = new PrincipalCache();
    const readAt = cache.generation;
    cache.remember('k', alice, 60_000, Infinity, readAt);
    expect(cache.get('k')).toBe(alice);
  });

  it('drops an entry whose lookup started before a clear (a revocation heard meanwhile)', () => {
    const cache = new PrincipalCache();
    const readAt = cache.generation;
    cache.clear(); // a NOTIFY arrives while the lookup is in flight
    cache.remember('k', alice, 60_000, Infinity, readAt);
    expect(cache.get('k')).toBeUndefined();
    cache.remember('k', alice, 60_000, Infinity, cache.generation);
    expect(cache.get('k')).toBe(alice);
  });
});
