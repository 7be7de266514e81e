/**
 * Login, refresh and logout. A login opens a refresh-token family; every refresh rotates the token
 * (the old one is revoked, pointing at its successor). Presenting an already-rotated token means it
 * leaked, so the whole family is revoked (OAuth 2.0 Security BCP, refresh token rotation). The family is
 * the session its access tokens name (`sid`): revoking it stops them too (see principal-cache.ts).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors';
import {
  findFamilyOf,
  findRefreshTokenForUpdate,
  insertRefreshToken,
  markRotated,
  revokeFamily,
} from '../../db/repositories/auth-credentials';
import { findLoginUser, recordLogin, userPermissions } from '../../db/repositories/auth-users';
import type { Db } from '../../db/repositories/sql';
import type { Logger } from '../../common/logger';
import type { ApiDeps } from '../deps';
import { verifyPassword } from '../../services/auth/passwords';
import { announcePrincipalChange, invalidatePrincipals } from './principal-invalidation';
import { principalCacheOf } from './principal-cache';
import { randomSecret, sha256, signAccessToken } from '../../services/auth/tokens';

/** What login and refresh return. */
export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_expires_in: number;
}

/** Client details stored with a refresh token (for "where am I logged in" listings). */
export interface ClientMeta {
  userAgent?: string;
  ip?: string;
}

// One message for unknown user, wrong password and disabled account: never reveal which.
const BAD_LOGIN = () => new AppError(401, 'Unauthorized', 'Invalid username or password');
const BAD_REFRESH = () => new AppError(401, 'Unauthorized', 'Invalid, expired or revoked refresh token');

async function issue(
  deps: ApiDeps,
  db: Db,
  user: { id: string; username: string },
  familyId: string,
  meta: ClientMeta,
): Promise<{ pair: TokenPair; tokenId: string }> {
  const refresh = randomSecret();
  const ttl = deps.config.authRefreshTokenTtlSeconds;
  const tokenId = await insertRefreshToken(db, {
    user_id: user.id,
    token_hash: sha256(refresh),
    family_id: familyId,
    expires_at: new Date(Date.now() + ttl * 1000),
    user_agent: meta.userAgent?.slice(0, 512),
    ip: meta.ip?.slice(0, 64),
  });
  const access = await signAccessToken(deps.config, user.id, user.username, familyId);
  return {
    tokenId,
    pair: {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refresh,
      refresh_expires_in: ttl,
    },
  };
}

/** Checks a password login; the argon2 work is the same whether or not the user exists. */
export async function login(
  deps: ApiDeps,
  username: string,
  password: string,
  meta: ClientMeta = {},
): Promise<TokenPair> {
  const user = await findLoginUser(deps.db, username);
  const ok = await verifyPassword(user?.password_hash, password);
  if (user) await recordLogin(deps.db, user.id, ok && user.status === 'active');
  if (!user || !ok || user.status !== 'active') throw BAD_LOGIN();
  return (await issue(deps, deps.db, user, randomUUID(), meta)).pair;
}

/** Exchanges a refresh token for a new pair, rotating it. */
/** `log` is the request's logger, so the reuse warning carries the request id. */
export async function refresh(
  deps: ApiDeps,
  token: string,
  meta: ClientMeta = {},
  log: Logger = deps.logger,
): Promise<TokenPair> {
  const outcome = await deps.db.transaction(async (trx) => {
    const row = await findRefreshTokenForUpdate(trx, sha256(token));
    if (!row) return { error: BAD_REFRESH() };
    if (row.revoked_at) {
      await revokeFamily(trx, row.family_id);
      // Delivered to the other API processes when the revocation commits.
      await announcePrincipalChange(trx);
      return { error: BAD_REFRESH(), reuse: row.family_id };
    }
    if (row.expires_at.getTime() <= Date.now()) return { error: BAD_REFRESH() };
    const user = await userPermissions(trx, row.user_id);
    if (!user) return { error: BAD_REFRESH() };
    const next = await issue(deps, trx, { id: row.user_id, username: user.username }, row.family_id, meta);
    await markRotated(trx, row.id, next.tokenId);
    return { pair: next.pair };
  });
  if (outcome.reuse) {
    principalCacheOf(deps).clear();
    log.warn({ familyId: outcome.reuse }, 'rotated refresh token reused: session family revoked');
  }
  if (outcome.error) throw outcome.error;
  return outcome.pair as TokenPair;
}

/**
 * Revokes the login session that `token` belongs to, with its access tokens: at once in this process, within the
 * notification latency in the others (AUTH_PRINCIPAL_CACHE_TTL_MS at most). Unknown tokens are ignored (logout is
 * idempotent).
 */
export async function logout(deps: ApiDeps, token: string): Promise<void> {
  const familyId = await findFamilyOf(deps.db, sha256(token));
  if (!familyId) return;
  await revokeFamily(deps.db, familyId);
  await invalidatePrincipals(deps);
}
