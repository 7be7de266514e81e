/**
 * Redrive and rerun (#15): the `workflow_instances:redrive` permission, granted to the built-in operator role
 * (admin holds `*`). Built-in roles are seeded rows, so a new grant needs a migration.
 */
import type { Knex } from 'knex';
import { seedPermissions } from './helpers';

export async function up(knex: Knex): Promise<void> {
  await seedPermissions(
    knex,
    [['workflow_instances:redrive', 'Redrive a closed run from its failed step, or rerun it from the beginning']],
    { operator: ['workflow_instances:redrive'] },
  );
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
