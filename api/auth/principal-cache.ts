/**
 * Resolved callers, reused per credential for a short TTL: without it every request paid a permission
 * query (and an API key lookup). Keyed by the SHA-256 of the presented credential, never the secret itself.
 * Changes made through this process (users, roles, API keys) clear the cache at once; other processes
 * see a revocation or role change within the TTL (AUTH_PRINCIPAL_CACHE_TTL_MS, default 5 s).
 */
import { sha256 } from './tokens';
import type { Principal } from './principal';

interface Entry {
  principal: Principal;
  until: number;
}

const MAX_ENTRIES = 10_000;
const entries = new Map<string, Entry>();

/** The cache key of a presented credential. */
export const credentialKey = (credential: string): string => sha256(credential);

/** A cached caller for this credential key, if still fresh. */
export function cachedPrincipal(key: string, now = Date.now()): Principal | undefined {
  const hit = entries.get(key);
  if (!hit) return undefined;
  if (hit.until > now) return hit.principal;
  entries.delete(key);
  return undefined;
}

/** Remembers a caller for `ttlMs`, never past `notAfter` (the credential's own expiry). */
export function rememberPrincipal(key: string, principal: Principal, ttlMs: number, notAfter = Infinity): void {
  if (ttlMs <= 0) return;
  // Overflow means many distinct credentials (or an attack spraying tokens): start over rather than grow.
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(key, { principal, until: Math.min(Date.now() + ttlMs, notAfter) });
}

/** Forgets every cached caller (a user, role or API key changed in this process). */
export function forgetPrincipals(): void {
  entries.clear();
}
