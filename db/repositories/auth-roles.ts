/** auth_service.roles, permissions and role_permissions. */
import type { Knex } from 'knex';
import { paginateSelect, type Page, type PageRequest } from './keyset';
import type { Db } from './sql';

/** A role with the permission ids it grants. */
export interface RoleRow {
  id: string;
  role_id: string;
  name: string;
  description: string | null;
  is_system: boolean;
  permissions: string[];
  created_at: Date;
  updated_at: Date;
}

/** Roles with their permissions (explicit select list, for keyset pagination). */
function rolesQuery(db: Db): Knex.QueryBuilder {
  return db({ r: 'auth_service.roles' })
    .select('r.id', 'r.role_id', 'r.name', 'r.description', 'r.is_system', 'r.created_at', 'r.updated_at')
    .select(
      db.raw(`coalesce((SELECT array_agg(p.permission_id ORDER BY p.permission_id) FROM auth_service.role_permissions rp
      JOIN auth_service.permissions p ON p.id = rp.permission_id WHERE rp.role_id = r.id), '{}') AS permissions`),
    );
}

/** One page of roles with their permissions, newest first. */
export function listRoles(db: Db, page: PageRequest): Promise<Page<RoleRow>> {
  return paginateSelect<RoleRow>(rolesQuery(db), page, { column: 'r.created_at', idColumn: 'r.id' });
}

/** One role by business id. */
export async function getRole(db: Db, roleId: string): Promise<RoleRow | undefined> {
  return (await rolesQuery(db).where('r.role_id', roleId).first()) as RoleRow | undefined;
}

/** All permission ids in the catalogue. */
export async function listPermissionIds(
  db: Db,
): Promise<Array<{ permission_id: string; resource: string; action: string; description: string | null }>> {
  return db('auth_service.permissions')
    .select('permission_id', 'resource', 'action', 'description')
    .orderBy('permission_id');
}

/** Adds missing permissions to the catalogue (idempotent). */
export async function ensurePermissions(
  db: Db,
  perms: Array<{ permission_id: string; resource: string; action: string }>,
): Promise<void> {
  if (perms.length === 0) return;
  await db('auth_service.permissions')
    .insert(perms.map((p) => ({ ...p, name: p.permission_id })))
    .onConflict('permission_id')
    .ignore();
}

/** Creates or updates a role and replaces its permissions; returns unknown permission ids (nothing written then). */
export async function saveRole(
  db: Knex,
  v: { role_id: string; name: string; description?: string | null; permissions: string[] },
  create: boolean,
): Promise<{ unknown: string[]; found: boolean }> {
  return db.transaction(async (trx) => {
    const perms = (await trx('auth_service.permissions')
      .whereIn('permission_id', v.permissions)
      .select('id', 'permission_id')) as Array<{ id: string; permission_id: string }>;
    const unknown = v.permissions.filter((p) => !perms.some((x) => x.permission_id === p));
    if (unknown.length > 0) return { unknown, found: true };
    const cols = { name: v.name, description: v.description ?? null };
    const [role] = create
      ? await trx('auth_service.roles')
          .insert({ role_id: v.role_id, ...cols })
          .returning('id')
      : await trx('auth_service.roles').where({ role_id: v.role_id }).update(cols).returning('id');
    if (!role) return { unknown: [], found: false };
    await trx('auth_service.role_permissions').where({ role_id: role.id }).delete();
    if (perms.length > 0)
      await trx('auth_service.role_permissions').insert(perms.map((p) => ({ role_id: role.id, permission_id: p.id })));
    return { unknown: [], found: true };
  });
}

/** Deletes a non-system role; `system` when it is built in. */
export async function deleteRole(db: Db, roleId: string): Promise<'deleted' | 'missing' | 'system'> {
  const role = await db('auth_service.roles').where({ role_id: roleId }).first('id', 'is_system');
  if (!role) return 'missing';
  if (role.is_system) return 'system';
  await db('auth_service.roles').where({ id: role.id }).delete();
  return 'deleted';
}
