/**
 * Resolved callers, reused per credential for a short TTL: without it every request paid a permission
 * query, a session check (access tokens) and an API key lookup. Keyed by the SHA-256 of the presented
 * credential, never the secret itself. One cache per API app (`principalCacheOf(deps)`), as one per process.
 *
 * The TTL is the revocation bound across processes: a logout, a refresh-token reuse (theft detection), a
 * disabled account, a role change or a revoked API key made through this process clears its cache at once;
 * every other API process on the same database stops accepting the credential within the TTL
 * (AUTH_PRINCIPAL_CACHE_TTL_MS, default 5 s), when its entry expires and the lookup runs again.
 */
import { sha256 } from '../../services/auth/tokens';
import type { Principal } from './principal';

interface Entry {
  principal: Principal;
  until: number;
}

const MAX_ENTRIES = 10_000;

/** The cache of one API app. */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  /** A cached caller for this credential key, if still fresh. */
  get(key: string, now = Date.now()): Principal | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until > now) return hit.principal;
    this.entries.delete(key);
    return undefined;
  }

  /** Remembers a caller for `ttlMs`, never past `notAfter` (the credential's own expiry). */
  remember(key: string, principal: Principal, ttlMs: number, notAfter = Infinity): void {
    if (ttlMs <= 0) return;
    // Overflow means many distinct credentials (or an attack spraying tokens): start over rather than grow.
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { principal, until: Math.min(Date.now() + ttlMs, notAfter) });
  }

  /** Forgets every cached caller (a session, user, role or API key changed in this process). */
  clear(): void {
    this.entries.clear();
  }
}

// Keyed by the app's deps object: each app built on its own deps behaves like its own process.
const caches = new WeakMap<object, PrincipalCache>();

/** The principal cache of the API app built on `deps`. */
export function principalCacheOf(deps: object): PrincipalCache {
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new PrincipalCache()));
  return cache;
}

/** The cache key of a presented credential. */
export const credentialKey = (credential: string): string => sha256(credential);
