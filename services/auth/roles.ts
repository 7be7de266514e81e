/**
 * Roles and the permission catalogue: a role's permissions must exist (422 with pointers), a missing role is a
 * 404 and built-in roles cannot be deleted (409).
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import {
  deleteRole,
  getRole,
  listPermissionIds,
  listRoles,
  saveRole,
  type RoleRow,
} from '../../db/repositories/auth-roles';

export type { RoleRow } from '../../db/repositories/auth-roles';

/** A role as the API writes it. */
export interface RoleFields {
  role_id: string;
  name: string;
  description?: string | null;
  permissions: string[];
}

/** Every permission in the catalogue. */
export function listPermissions(db: Knex): ReturnType<typeof listPermissionIds> {
  return listPermissionIds(db);
}

/** One page of roles with their permissions. */
export function listRolePage(db: Knex, page: PageRequest): Promise<Page<RoleRow>> {
  return listRoles(db, page);
}

/** A role by its business id; 404 when there is none. */
export async function roleOrNotFound(db: Knex, roleId: string): Promise<RoleRow> {
  const role = await getRole(db, roleId);
  if (!role) throw AppError.notFound(`Role ${roleId} not found`);
  return role;
}

/** Creates (`create`) or replaces a role; returns it as stored. */
export async function saveRoleChecked(db: Knex, body: RoleFields, create: boolean): Promise<RoleRow | undefined> {
  const r = await saveRole(db, body, create);
  if (r.unknown.length) {
    throw AppError.unprocessable(
      'Unknown permissions',
      r.unknown.map((p) => ({
        pointer: `/body/permissions/${body.permissions.indexOf(p)}`,
        message: `permission ${p} does not exist`,
      })),
    );
  }
  if (!r.found) throw AppError.notFound(`Role ${body.role_id} not found`);
  return getRole(db, body.role_id);
}

/** Deletes a custom role. */
export async function removeRole(db: Knex, roleId: string): Promise<void> {
  const r = await deleteRole(db, roleId);
  if (r === 'missing') throw AppError.notFound(`Role ${roleId} not found`);
  if (r === 'system') throw AppError.conflict(`Role ${roleId} is built in and cannot be deleted`);
}
