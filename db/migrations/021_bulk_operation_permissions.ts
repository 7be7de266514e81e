/**
 * Bulk operations (#15 item 3): seeds the bulk_operations permissions and grants them to the built-in roles, as 013
 * did for human tasks: the operator (who already cancels and terminates runs and handles dead letters) requests, reads
 * and cancels them; the viewer reads them. A bulk request still needs the per-item permission of its action.
 */
import type { Knex } from 'knex';

const AUTH = 'auth_service';

const PERMISSIONS: Array<[string, string]> = [
  ['bulk_operations:create', 'Request bulk operations (with the per-item permission of the action)'],
  ['bulk_operations:read', 'See bulk operations, their progress and items'],
  ['bulk_operations:cancel', 'Cancel a bulk operation'],
];

const GRANTS: Record<string, string[]> = {
  operator: ['bulk_operations:create', 'bulk_operations:read', 'bulk_operations:cancel'],
  viewer: ['bulk_operations:read'],
};

/** Seeds the permissions and the grants. */
export async function up(knex: Knex): Promise<void> {
  for (const [permission_id, name] of PERMISSIONS) {
    const [resource, action] = permission_id.split(':');
    await knex(`${AUTH}.permissions`)
      .insert({ permission_id, resource, action, name })
      .onConflict('permission_id')
      .ignore();
  }
  for (const [role_id, grants] of Object.entries(GRANTS)) {
    await knex.raw(
      `INSERT INTO ${AUTH}.role_permissions (role_id, permission_id)
       SELECT r.id, p.id FROM ${AUTH}.roles r JOIN ${AUTH}.permissions p ON p.permission_id = ANY(?)
        WHERE r.role_id = ? ON CONFLICT DO NOTHING`,
      [grants, role_id],
    );
  }
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
