/**
 * User management: passwords are hashed here, roles are checked against the stored roles (422 with pointers),
 * a missing user is a 404 and nobody deletes their own account (409).
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import type { ListQueryValues } from '../../db/repositories/list-filters';
import {
  deleteUser,
  getUser,
  insertUser,
  listUsers,
  setUserRoles,
  updateUser,
  type UserRow,
} from '../../db/repositories/auth-users';
import { hashPassword } from './passwords';

export type { UserRow } from '../../db/repositories/auth-users';

/** The writable fields of a user, as the API takes them (a password, never a hash). */
export interface UserFields {
  email?: string | null;
  display_name?: string | null;
  password?: string;
  status?: string;
  roles?: string[];
}

/** One page of users. */
export function listUserPage(db: Knex, filter: ListQueryValues, page: PageRequest): Promise<Page<UserRow>> {
  return listUsers(db, filter, page);
}

/** A user by id; 404 when there is none. */
export async function userOrNotFound(db: Knex, id: string): Promise<UserRow> {
  const user = await getUser(db, id);
  if (!user) throw AppError.notFound(`User ${id} not found`);
  return user;
}

/** A user by id, or undefined. */
export function findUser(db: Knex, id: string): Promise<UserRow | undefined> {
  return getUser(db, id);
}

async function assignRoles(db: Knex, id: string, roleIds: string[]): Promise<void> {
  const unknown = await setUserRoles(db, id, roleIds);
  if (unknown.length)
    throw AppError.unprocessable(
      'Unknown roles',
      unknown.map((r) => ({ pointer: `/body/roles/${roleIds.indexOf(r)}`, message: `role ${r} does not exist` })),
    );
}

/** Creates a user with their roles; returns the stored user. */
export async function createUser(db: Knex, body: UserFields & { username: string }): Promise<UserRow> {
  const password_hash = body.password ? await hashPassword(body.password) : null;
  // One transaction: an unknown role must not leave a half-created user behind.
  const id = await db.transaction(async (trx) => {
    const userId = await insertUser(trx, {
      username: body.username,
      email: body.email,
      display_name: body.display_name,
      status: body.status,
      password_hash,
    });
    await assignRoles(trx, userId, body.roles ?? []);
    return userId;
  });
  return userOrNotFound(db, id);
}

/** Updates a user's fields (a new password is hashed) and, when given, replaces their roles. */
export async function changeUser(db: Knex, id: string, body: UserFields): Promise<UserRow> {
  const { password, roles: roleIds, ...rest } = body;
  const changes = { ...rest, ...(password && { password_hash: await hashPassword(password) }) };
  await db.transaction(async (trx) => {
    if (!(await updateUser(trx, id, changes))) throw AppError.notFound(`User ${id} not found`);
    if (roleIds) await assignRoles(trx, id, roleIds);
  });
  return userOrNotFound(db, id);
}

/** Deletes user `id` on behalf of user `callerId` (their keys and sessions cascade). */
export async function removeUser(db: Knex, id: string, callerId: string): Promise<void> {
  if (callerId === id) throw AppError.conflict('You cannot delete your own account');
  if (!(await deleteUser(db, id))) throw AppError.notFound(`User ${id} not found`);
}
