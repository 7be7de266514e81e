/**
 * The schedule permissions (#15 item 4) and their grants to the built-in roles: operators read, change and
 * trigger schedules, viewers read them (`admin` holds `*`). The table itself came with migration 018.
 */
import type { Knex } from 'knex';

const AUTH = 'auth_service';

const PERMISSIONS: Array<[string, string]> = [
  ['schedules:read', 'See schedules and their live state (next and recent actions)'],
  ['schedules:write', 'Create, change, delete, pause and unpause schedules'],
  ['schedules:trigger', 'Trigger a schedule now and backfill a time range'],
];

const GRANTS: Record<string, string[]> = {
  operator: ['schedules:read', 'schedules:write', 'schedules:trigger'],
  viewer: ['schedules:read'],
};

/** Seeds the permissions and grants them. */
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
