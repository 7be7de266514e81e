/**
 * Access tokens: short-lived HS256 JWTs (jose) naming the user and the login session (`sid`: the refresh-token
 * family); permissions and the session's liveness are looked up in the database (reused per credential for
 * AUTH_PRINCIPAL_CACHE_TTL_MS, see api/auth/principal-cache.ts), so a revoked session stops its access tokens
 * too. Refresh tokens and API keys are opaque random strings stored as SHA-256 hashes (high-entropy secrets need
 * no slow KDF).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Config } from '../../common/config';

const ISSUER = 'aos-orchestrator';
const AUDIENCE = 'aos-api';

function key(config: Config): Uint8Array {
  return new TextEncoder().encode(config.authJwtSecret);
}

/** Signs an access token for `userId` in login session `sessionId`; returns it with its lifetime in seconds. */
export async function signAccessToken(
  config: Config,
  userId: string,
  username: string,
  sessionId: string,
): Promise<{ token: string; expiresIn: number }> {
  const expiresIn = config.authAccessTokenTtlSeconds;
  const token = await new SignJWT({ username, sid: sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${expiresIn}s`)
    .setJti(randomBytes(8).toString('hex'))
    .sign(key(config));
  return { token, expiresIn };
}

/**
 * Verifies signature, issuer, audience and expiry; returns the user id, session id and expiry (ms epoch), or
 * undefined. A token without a session (signed before sessions were checked) cannot be revoked: refused.
 */
export async function verifyAccessToken(
  config: Config,
  token: string,
): Promise<{ userId: string; sessionId: string; expiresAt: number } | undefined> {
  try {
    const { payload } = await jwtVerify(token, key(config), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const { sub, sid, exp } = payload;
    return typeof sub === 'string' && typeof sid === 'string' && typeof exp === 'number'
      ? { userId: sub, sessionId: sid, expiresAt: exp * 1000 }
      : undefined;
  } catch {
    return undefined;
  }
}

/** A new opaque secret (32 random bytes, base64url). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 hex of a secret: what the database stores instead of the secret. */
export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

const API_KEY = /^aos_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** A new API key `aos_<prefix>_<secret>`: the prefix is shown in listings and used for lookup. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const key = `aos_${prefix}_${randomSecret()}`;
  return { key, prefix, hash: sha256(key) };
}

/** Splits a presented API key; undefined when it does not have the API key shape. */
export function parseApiKey(key: string): { prefix: string; hash: string } | undefined {
  const m = API_KEY.exec(key);
  return m ? { prefix: m[1], hash: sha256(key) } : undefined;
}
