/**
 * Resolved callers, reused per credential for a short TTL: without it every request paid a permission
 * query, a session check (access tokens) and an API key lookup. Keyed by the SHA-256 of the presented
 * credential, never the secret itself. One cache per API app (`principalCacheOf(deps)`), as one per process.
 *
 * Revocation across processes: a logout, a refresh-token reuse (theft detection), a disabled account, a role
 * change or a revoked API key clears the cache of the process that made it and NOTIFYs every other API process
 * on the database, whose listener clears theirs (principal-invalidation.ts): revoked within about the
 * notification latency. While a process's listener is down, AUTH_PRINCIPAL_CACHE_TTL_MS (default 5 s) is the bound.
 *
 * A lookup that started before a clear must not put what it read back after it: `generation` counts clears, and
 * `remember` drops an entry read under an older generation.
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
  private clears = 0;

  /** How many times the cache was cleared; a lookup notes it before reading the database. */
  get generation(): number {
    return this.clears;
  }

  /** A cached caller for this credential key, if still fresh. */
  get(key: string, now = Date.now()): Principal | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until > now) return hit.principal;
    this.entries.delete(key);
    return undefined;
  }

  /**
   * Remembers a caller for `ttlMs`, never past `notAfter` (the credential's own expiry). `readAt` is the
   * generation noted before the lookup: if the cache was cleared since, what was read may be revoked already.
   */
  remember(key: string, principal: Principal, ttlMs: number, notAfter = Infinity, readAt = this.clears): void {
    if (ttlMs <= 0 || readAt !== this.clears) return;
    // Overflow means many distinct credentials (or an attack spraying tokens): start over rather than grow.
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { principal, until: Math.min(Date.now() + ttlMs, notAfter) });
  }

  /** Forgets every cached caller (a session, user, role or API key changed, here or in another process). */
  clear(): void {
    this.clears++;
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
