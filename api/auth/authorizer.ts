/**
 * The API's Authorizer: resolves `Authorization: Bearer <access token | API key>` or `X-API-Key`
 * into a Principal, then checks the route's permission. 401 = no or bad credentials, 403 = lacks the permission.
 */
import { AppError } from '../../common/errors';
import { findActiveApiKey, isSessionLive, touchApiKey } from '../../db/repositories/auth-credentials';
import { userPermissions } from '../../db/repositories/auth-users';
import type { Logger } from '../../common/logger';
import type { ApiDeps } from '../deps';
import type { Authorizer, ContextHandler } from '../http/mount';
import { addLogBindings } from '../http/request-context';
import { AUTHENTICATED, grants } from './permissions';
import type { Principal } from './principal';
import { credentialKey, principalCacheOf } from './principal-cache';
import { invalidatePrincipals } from './principal-invalidation';
import { parseApiKey, sameDigest, verifyAccessToken } from '../../services/auth/tokens';

const unauthorized = (detail: string) => new AppError(401, 'Unauthorized', detail);

function presented(
  authorization: string | undefined,
  apiKeyHeader: string | string[] | undefined,
): { kind: 'jwt' | 'key'; value: string } | undefined {
  if (Array.isArray(apiKeyHeader)) apiKeyHeader = apiKeyHeader.join(', ');
  if (apiKeyHeader) return { kind: 'key', value: apiKeyHeader.trim() };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return undefined;
  return { kind: m[1].startsWith('aos_') ? 'key' : 'jwt', value: m[1] };
}

type Resolved = { principal: Principal; notAfter: number } | undefined;

async function fromApiKey(deps: ApiDeps, key: string, log: () => Logger): Promise<Resolved> {
  const parsed = parseApiKey(key);
  if (!parsed) return undefined;
  const row = await findActiveApiKey(deps.db, parsed.prefix);
  if (!row || !sameDigest(row.key_hash, parsed.hash)) return undefined;
  const user = await userPermissions(deps.db, row.user_id);
  if (!user) return undefined;
  // A key's scopes narrow its owner's permissions; they never widen them.
  const owned = new Set(user.permissions);
  const permissions = row.scopes ? new Set(row.scopes.filter((s) => grants(owned, s))) : owned;
  touchApiKey(deps.db, row.id).catch((err: unknown) => log().warn({ err }, 'api key last_used_at update failed'));
  const principal: Principal = {
    userId: row.user_id,
    username: user.username,
    permissions,
    via: 'api_key',
    apiKeyId: row.id,
  };
  return { principal, notAfter: row.expires_at ? new Date(row.expires_at).getTime() : Infinity };
}

// An access token is only as alive as its login session: logout and refresh-token reuse revoke the session.
async function fromToken(deps: ApiDeps, token: string): Promise<Resolved> {
  const claims = await verifyAccessToken(deps.config, token);
  if (!claims) return undefined;
  const [user, live] = await Promise.all([
    userPermissions(deps.db, claims.userId),
    isSessionLive(deps.db, claims.sessionId, claims.userId),
  ]);
  if (!user || !live) return undefined;
  return {
    principal: { userId: claims.userId, username: user.username, permissions: new Set(user.permissions), via: 'token' },
    notAfter: claims.expiresAt,
  };
}

/** `log` gives the request's logger (built only if something is logged), so any warning carries the request id. */
async function resolve(
  deps: ApiDeps,
  cred: { kind: 'jwt' | 'key'; value: string },
  log: () => Logger,
): Promise<Principal | undefined> {
  const key = credentialKey(cred.value);
  const cache = principalCacheOf(deps);
  const hit = cache.get(key);
  if (hit) return hit;
  const generation = cache.generation;
  const resolved = await (cred.kind === 'key' ? fromApiKey(deps, cred.value, log) : fromToken(deps, cred.value));
  // Failures are not cached: a bad credential costs its lookup every time, and cannot evict good entries.
  if (resolved)
    cache.remember(key, resolved.principal, deps.config.authPrincipalCacheTtlMs, resolved.notAfter, generation);
  return resolved?.principal;
}

// Writes under these permissions change who may do what (users, roles, API keys): drop cached callers, here and
// (NOTIFY, once the answer is sent, i.e. after the change committed) in every other API process.
const AUTH_ADMIN = new Set(['users:admin', 'api_keys:write']);

/**
 * Resolves the request's credentials (cached on res.locals); undefined when none were presented. Uses only
 * node's request headers and `res.locals`, so the fast route (api/http/fast-route.ts) runs it too.
 */
export function authenticate(deps: ApiDeps): ContextHandler {
  return (req, res, next) => {
    if (res.locals.principal) return next();
    const cred = presented(req.headers.authorization, req.headers['x-api-key']);
    if (!cred) return next(unauthorized('Send an access token (Authorization: Bearer) or an API key (X-API-Key)'));
    resolve(deps, cred, () => res.locals.log as Logger)
      .then((p) => {
        if (!p) return next(unauthorized('Invalid, expired or revoked credentials'));
        res.locals.principal = p;
        addLogBindings(res, { userId: p.userId });
        next();
      })
      .catch(next);
  };
}

/** Builds the Authorizer that `createApp` puts in front of every non-public route. */
export function createAuthorizer(deps: ApiDeps): Authorizer {
  const authn = authenticate(deps);
  return (permission) => (req, res, next) => {
    if (AUTH_ADMIN.has(permission) && req.method !== 'GET') res.once('finish', () => void invalidatePrincipals(deps));
    authn(req, res, (err?: unknown) => {
      if (err) return next(err);
      const p = res.locals.principal as Principal;
      if (permission === AUTHENTICATED || grants(p.permissions, permission)) return next();
      next(new AppError(403, 'Forbidden', `This operation requires the permission ${permission}`));
    });
  };
}
