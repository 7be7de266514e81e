/** auth_service.users and their role assignments. The password hash never leaves this file except for login. */
import type { Knex } from 'knex';
import { paginateSelect, type Page, type PageRequest } from './keyset';
import { applyListFilters, type ListQueryValues } from './list-filters';
import type { Db } from './sql';

const T = 'auth_service.users';

/** A user as the API shows it (no password hash, no counters). */
export interface UserRow {
  id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  status: 'active' | 'disabled' | 'locked';
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
  roles?: string[];
}

/** Public columns of a user. */
export const USER_COLUMNS = [
  'id',
  'username',
  'email',
  'display_name',
  'status',
  'last_login_at',
  'created_at',
  'updated_at',
].map((c) => `u.${c}`);

/** Users with their role ids (explicit select list, for keyset pagination). */
function usersQuery(db: Db): Knex.QueryBuilder {
  return db({ u: T })
    .select(USER_COLUMNS)
    .select(
      db.raw(`coalesce((SELECT array_agg(r.role_id ORDER BY r.role_id) FROM auth_service.user_roles ur
      JOIN auth_service.roles r ON r.id = ur.role_id WHERE ur.user_id = u.id), '{}') AS roles`),
    );
}

/** One page of users with role ids, newest first; `created_*` and `status` filter. */
export function listUsers(db: Db, f: ListQueryValues, page: PageRequest): Promise<Page<UserRow>> {
  const q = usersQuery(db);
  applyListFilters(q, f, { created: 'u.created_at', status: 'u.status' });
  return paginateSelect<UserRow>(q, page, { column: 'u.created_at', idColumn: 'u.id' });
}

/** One user with role ids, or undefined. */
export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  return (await usersQuery(db).where('u.id', id).first()) as UserRow | undefined;
}

/** The login lookup: by username, or by email case-insensitively. */
export async function findLoginUser(
  db: Db,
  login: string,
): Promise<{ id: string; username: string; status: string; password_hash: string | null } | undefined> {
  return db(T)
    .select('id', 'username', 'status', 'password_hash')
    .where('username', login)
    .orWhereRaw('lower(email) = lower(?)', [login])
    .first();
}

/** Records a login attempt's outcome (counters feed monitoring; no lockout, the rate limiter covers that). */
export async function recordLogin(db: Db, id: string, ok: boolean): Promise<void> {
  await db(T)
    .where({ id })
    .update(
      ok
        ? { failed_login_count: 0, last_login_at: db.fn.now() }
        : { failed_login_count: db.raw('failed_login_count + 1') },
    );
}

/** Inserts a user; a duplicate username/email surfaces as a unique violation (23505). */
export async function insertUser(
  db: Db,
  v: {
    username: string;
    email?: string | null;
    display_name?: string | null;
    password_hash?: string | null;
    status?: string;
  },
): Promise<string> {
  const [row] = await db(T).insert(v).returning('id');
  return (row as { id: string }).id;
}

/** Updates the given columns; returns false when the user does not exist. */
export async function updateUser(
  db: Db,
  id: string,
  v: Partial<{ email: string | null; display_name: string | null; password_hash: string; status: string }>,
): Promise<boolean> {
  if (Object.keys(v).length === 0) return (await db(T).where({ id }).first('id')) !== undefined;
  return (await db(T).where({ id }).update(v)) > 0;
}

/** Deletes a user (their keys, tokens and role links cascade). */
export async function deleteUser(db: Db, id: string): Promise<boolean> {
  return (await db(T).where({ id }).delete()) > 0;
}

/** Replaces a user's roles with `roleIds` (business ids); returns the ids that do not exist. */
export async function setUserRoles(db: Knex, userId: string, roleIds: string[]): Promise<string[]> {
  return db.transaction(async (trx) => {
    const roles = (await trx('auth_service.roles').whereIn('role_id', roleIds).select('id', 'role_id')) as Array<{
      id: string;
      role_id: string;
    }>;
    const unknown = roleIds.filter((r) => !roles.some((x) => x.role_id === r));
    if (unknown.length > 0) return unknown;
    await trx('auth_service.user_roles').where({ user_id: userId }).delete();
    if (roles.length > 0)
      await trx('auth_service.user_roles').insert(roles.map((r) => ({ user_id: userId, role_id: r.id })));
    return [];
  });
}

/** Permissions of an active user through their roles; empty for unknown or inactive users. */
export async function userPermissions(
  db: Db,
  userId: string,
): Promise<{ username: string; permissions: string[] } | undefined> {
  const rows = (await db({ u: T })
    .leftJoin({ ur: 'auth_service.user_roles' }, 'ur.user_id', 'u.id')
    .leftJoin({ rp: 'auth_service.role_permissions' }, 'rp.role_id', 'ur.role_id')
    .leftJoin({ p: 'auth_service.permissions' }, 'p.id', 'rp.permission_id')
    .where('u.id', userId)
    .andWhere('u.status', 'active')
    .select('u.username', 'p.permission_id')) as Array<{ username: string; permission_id: string | null }>;
  if (rows.length === 0) return undefined;
  return { username: rows[0].username, permissions: rows.flatMap((r) => (r.permission_id ? [r.permission_id] : [])) };
}

/**
 * Serialises bootstrap-admin creation until the end of `trx` (a transaction-scoped advisory lock): two API
 * processes starting together must not both create the admin.
 */
export async function lockBootstrapAdmin(trx: Knex.Transaction): Promise<void> {
  await trx.raw("SELECT pg_advisory_xact_lock(hashtext('aos:bootstrap-admin'))");
}

/** Whether a user named `username` or with `email` (case-insensitive) exists. */
export async function userExists(db: Db, username: string, email: string): Promise<boolean> {
  return Boolean(await db(T).where({ username }).orWhereRaw('lower(email) = lower(?)', [email]).first('id'));
}

/** Gives user `userId` the role with business id `roleId` (which must exist). */
export async function grantRole(db: Db, userId: string, roleId: string): Promise<void> {
  const role = await db('auth_service.roles').where({ role_id: roleId }).first('id');
  await db('auth_service.user_roles').insert({ user_id: userId, role_id: role.id });
}
