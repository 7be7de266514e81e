/**
 * Revocation seen by every API process. A change to who may do what (logout, refresh-token reuse, a user, role
 * or API key written) clears this process's principal cache and NOTIFYs `aos_principal_invalidate`; each API
 * process LISTENs on its own connection and clears its cache when notified. So a revoked credential is refused
 * everywhere within about the notification latency (milliseconds).
 *
 * When the listener's connection drops, the cache is cleared (notifications may be missed from then on) and the
 * connection is re-made with backoff; until it listens again, cached entries live at most
 * AUTH_PRINCIPAL_CACHE_TTL_MS (the bound from before notifications existed), and the cache is cleared once more
 * when it is back. The cache keeps serving meanwhile: bypassing it would put two queries on every request exactly
 * when the database is struggling.
 */
import type { Knex } from 'knex';
import { listen, notify, type Listener } from '../../db/listen';
import type { Db } from '../../db/repositories/sql';
import type { ApiDeps } from '../deps';
import { principalCacheOf } from './principal-cache';

/** The channel every API process listens on. */
export const PRINCIPAL_INVALIDATE_CHANNEL = 'aos_principal_invalidate';

/**
 * Announces a change to credentials, users, roles or keys to the other API processes. Pass the transaction that
 * makes the change where there is one: the notification is then delivered on commit, never for a rollback.
 */
export async function announcePrincipalChange(db: Db | Knex): Promise<void> {
  await notify(db, PRINCIPAL_INVALIDATE_CHANNEL);
}

/**
 * Clears this process's cache at once and tells the others (after the change committed). A failed NOTIFY is
 * logged, not thrown: the change itself is done, and the other processes still drop it within the TTL.
 */
export async function invalidatePrincipals(deps: Pick<ApiDeps, 'db' | 'logger'>): Promise<void> {
  principalCacheOf(deps).clear();
  await announcePrincipalChange(deps.db).catch((err: unknown) =>
    deps.logger.warn({ err }, 'principal invalidation NOTIFY failed: other API processes drop it within the TTL'),
  );
}

/** Starts the listener that clears `deps`' principal cache on every notification and on connection loss. */
export function listenForPrincipalChanges(deps: Pick<ApiDeps, 'db' | 'logger'>): Listener {
  const cache = principalCacheOf(deps);
  return listen({
    db: deps.db,
    channel: PRINCIPAL_INVALIDATE_CHANNEL,
    logger: deps.logger,
    onNotify: () => cache.clear(),
    onLost: () => cache.clear(),
    // Changes made while it was down went unheard: start from the database again.
    onListening: () => cache.clear(),
  });
}
