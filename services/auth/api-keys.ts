/**
 * API keys for machine clients: a key acts as the user who created it, optionally narrowed to scopes they hold;
 * it is generated here, returned once and stored only as a hash with a visible prefix. users:admin sees and
 * revokes everyone's keys.
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../db/repositories/auth-credentials';
import { newApiKey } from './tokens';

/** Who is asking: their user id and whether they hold a permission (the API's principal answers both). */
export interface KeyCaller {
  userId: string;
  holds(permission: string): boolean;
}

const ADMIN = 'users:admin';

/** One page of the caller's keys, or everyone's when `all` is asked by users:admin. */
export function listKeysOf(
  db: Knex,
  caller: KeyCaller,
  f: { all?: boolean; status?: string },
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const userId = f.all && caller.holds(ADMIN) ? undefined : caller.userId;
  return listApiKeys(db, { userId, status: f.status }, page);
}

/** Creates a key for the caller; returns its listed row plus the key itself (shown this once). */
export async function createApiKey(
  db: Knex,
  caller: KeyCaller,
  body: { name: string; scopes?: string[]; expires_at?: string },
): Promise<Record<string, unknown> & { key: string }> {
  const beyond = (body.scopes ?? []).filter((s) => !caller.holds(s));
  if (beyond.length)
    throw AppError.unprocessable(
      'A key cannot hold permissions you do not have',
      beyond.map((s) => ({ pointer: `/body/scopes/${body.scopes!.indexOf(s)}`, message: `you lack ${s}` })),
    );
  if (body.expires_at && Date.parse(body.expires_at) <= Date.now())
    throw AppError.unprocessable('Expiry is in the past', [
      { pointer: '/body/expires_at', message: 'must be in the future' },
    ]);
  const k = newApiKey();
  const row = await insertApiKey(db, {
    prefix: k.prefix,
    key_hash: k.hash,
    name: body.name,
    user_id: caller.userId,
    scopes: body.scopes ?? null,
    expires_at: body.expires_at ?? null,
  });
  return { ...row, key: k.key };
}

/** Revokes one of the caller's active keys (anyone's for users:admin); 404 when there is no such key. */
export async function revokeKey(db: Knex, caller: KeyCaller, id: string): Promise<void> {
  if (!(await revokeApiKey(db, id, caller.holds(ADMIN) ? undefined : caller.userId)))
    throw AppError.notFound(`API key ${id} not found`);
}
