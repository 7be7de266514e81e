/**
 * Bulk operations (#15 item 3): seeds the bulk_operations permissions and grants them to the built-in roles, as 013
 * did for human tasks: the operator (who already cancels and terminates runs and handles dead letters) requests, reads
 * and cancels them; the viewer reads them. A bulk request still needs the per-item permission of its action.
 */
import type { Knex } from 'knex';
import { seedPermissions } from './helpers';

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
  await seedPermissions(knex, PERMISSIONS, GRANTS);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
