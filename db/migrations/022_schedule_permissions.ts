/**
 * The schedule permissions (#15 item 4) and their grants to the built-in roles: operators read, change and
 * trigger schedules, viewers read them (`admin` holds `*`). The table itself came with migration 018.
 */
import type { Knex } from 'knex';
import { seedPermissions } from './helpers';

const PERMISSIONS: Array<[string, string]> = [
  ['schedules:read', 'See schedules and their live state (next and recent actions)'],
  ['schedules:write', 'Create, change, delete, pause and unpause schedules'],
  ['schedules:trigger', 'Trigger a schedule now and backfill a time range'],
];

const GRANTS: Record<string, string[]> = {
  operator: ['schedules:read', 'schedules:write', 'schedules:trigger'],
  viewer: ['schedules:read'],
};

/** Seeds the permissions and the grants. */
export async function up(knex: Knex): Promise<void> {
  await seedPermissions(knex, PERMISSIONS, GRANTS);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
