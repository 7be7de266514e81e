/**
 * Redrive and rerun (#15): the `workflow_instances:redrive` permission, granted to the built-in operator role
 * (admin holds `*`). Built-in roles are seeded rows, so a new grant needs a migration.
 */
import type { Knex } from 'knex';

const AUTH = 'auth_service';
const PERMISSION = 'workflow_instances:redrive';

export async function up(knex: Knex): Promise<void> {
  await knex(`${AUTH}.permissions`)
    .insert({
      permission_id: PERMISSION,
      resource: 'workflow_instances',
      action: 'redrive',
      name: 'Redrive a closed run from its failed step, or rerun it from the beginning',
    })
    .onConflict('permission_id')
    .ignore();
  await knex.raw(
    `INSERT INTO ${AUTH}.role_permissions (role_id, permission_id)
     SELECT r.id, p.id FROM ${AUTH}.roles r JOIN ${AUTH}.permissions p ON p.permission_id = ?
      WHERE r.role_id = 'operator' ON CONFLICT DO NOTHING`,
    [PERMISSION],
  );
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
