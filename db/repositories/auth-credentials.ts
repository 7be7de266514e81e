/** auth_service.api_keys and auth_service.refresh_tokens: hashed machine and session credentials. */
import type { Knex } from 'knex';
import { paginateSelect, type Page, type PageRequest } from './keyset';
import type { Db } from './sql';

/** An API key as listed (never the key or its hash). */
export const API_KEY_COLUMNS = [
  'id',
  'prefix',
  'name',
  'user_id',
  'scopes',
  'status',
  'expires_at',
  'last_used_at',
  'revoked_at',
  'created_at',
  'updated_at',
];

/** One page of API keys of one user (or all users when `userId` is undefined), optionally of one `status`. */
export function listApiKeys(
  db: Db,
  f: { userId?: string; status?: string },
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const q = db('auth_service.api_keys').select(API_KEY_COLUMNS);
  if (f.userId) q.where({ user_id: f.userId });
  if (f.status) q.where({ status: f.status });
  return paginateSelect(q, page);
}

/** Stores a new key's hash; returns the listed row. */
export async function insertApiKey(
  db: Db,
  v: {
    prefix: string;
    key_hash: string;
    name: string;
    user_id: string;
    scopes: string[] | null;
    expires_at: string | null;
  },
): Promise<Record<string, unknown>> {
  const [row] = await db('auth_service.api_keys')
    .insert({ ...v, scopes: v.scopes ? JSON.stringify(v.scopes) : null })
    .returning(API_KEY_COLUMNS);
  return row as Record<string, unknown>;
}

/** The active, unexpired key with this prefix, with its hash for the constant-time check. */
export async function findActiveApiKey(
  db: Db,
  prefix: string,
): Promise<
  { id: string; user_id: string; key_hash: string; scopes: string[] | null; expires_at: Date | null } | undefined
> {
  return db('auth_service.api_keys')
    .where({ prefix, status: 'active' })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))
    .first('id', 'user_id', 'key_hash', 'scopes', 'expires_at');
}

/** Marks a key used (best effort, at most once a minute per key to spare writes). */
export async function touchApiKey(db: Db, id: string): Promise<void> {
  await db('auth_service.api_keys')
    .where({ id })
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', db.raw("now() - interval '1 minute'")))
    .update({ last_used_at: db.fn.now() });
}

/** Revokes a key (owned by `userId` unless undefined); false when not found. */
export async function revokeApiKey(db: Db, id: string, userId?: string): Promise<boolean> {
  const q = db('auth_service.api_keys').where({ id, status: 'active' });
  if (userId) q.andWhere({ user_id: userId });
  return (await q.update({ status: 'revoked', revoked_at: db.fn.now() })) > 0;
}

/** A refresh token row, looked up by hash. */
export interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  revoked_at: Date | null;
}

/** Stores a refresh token's hash. */
export async function insertRefreshToken(
  db: Db,
  v: { user_id: string; token_hash: string; family_id: string; expires_at: Date; user_agent?: string; ip?: string },
): Promise<string> {
  const [row] = await db('auth_service.refresh_tokens').insert(v).returning('id');
  return (row as { id: string }).id;
}

/** The token with this hash, locked for the rotation that follows. */
export async function findRefreshTokenForUpdate(
  trx: Knex.Transaction,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  return trx('auth_service.refresh_tokens')
    .where({ token_hash: tokenHash })
    .forUpdate()
    .first('id', 'user_id', 'family_id', 'expires_at', 'revoked_at');
}

/** Marks a token rotated (revoked, pointing at its successor). */
export async function markRotated(db: Db, id: string, replacedBy: string): Promise<void> {
  await db('auth_service.refresh_tokens').where({ id }).update({ revoked_at: db.fn.now(), replaced_by: replacedBy });
}

/** Revokes every live token of a login family (logout, or reuse of a rotated token). */
export async function revokeFamily(db: Db, familyId: string): Promise<void> {
  await db('auth_service.refresh_tokens')
    .where({ family_id: familyId })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() });
}

/** The login family (session) of the refresh token with this hash, if any. */
export async function findFamilyOf(db: Db, tokenHash: string): Promise<string | undefined> {
  const row = await db('auth_service.refresh_tokens').where({ token_hash: tokenHash }).first('family_id');
  return row ? (row.family_id as string) : undefined;
}

/**
 * True while login session `familyId` of `userId` is open: it still holds an unexpired refresh token that is not
 * revoked (rotation leaves the successor live; logout and reuse detection revoke them all).
 */
export async function isSessionLive(db: Db, familyId: string, userId: string): Promise<boolean> {
  const row = await db('auth_service.refresh_tokens')
    .where({ family_id: familyId, user_id: userId })
    .whereNull('revoked_at')
    .andWhere('expires_at', '>', db.fn.now())
    .first(db.raw('1 AS live'));
  return row !== undefined;
}
