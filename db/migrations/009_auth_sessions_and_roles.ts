/**
 * auth_service.refresh_tokens (hashed, rotated, revocable) and the seed of the permission catalogue
 * and the built-in roles admin / operator / viewer / publisher. The lists are a frozen snapshot on
 * purpose: a migration must mean the same thing forever; later permissions come with later migrations
 * (or the API's start-up sync), and `admin` holds `*` so it never needs updating.
 */
import type { Knex } from 'knex';
import { foreignKey, idColumn, timestamps, touchUpdatedAt } from './helpers';

const S = 'auth_service';

const RESOURCES: Record<string, string[]> = {
  workflow_definitions: ['read', 'write'],
  task_definitions: ['read', 'write'],
  workflow_instances: ['read', 'start', 'cancel', 'terminate'],
  events: ['publish', 'read'],
  event_definitions: ['read', 'write'],
  triggers: ['read', 'write'],
  dead_letters: ['read', 'write'],
  ui_components: ['read', 'write'],
  integrations: ['read', 'write'],
  observability: ['read'],
  tests: ['read', 'write'],
  api_keys: ['read', 'write'],
  users: ['admin'],
};
const ALL = Object.entries(RESOURCES).flatMap(([r, actions]) => actions.map((a) => `${r}:${a}`));
const READS = ALL.filter((p) => p.endsWith(':read'));

const ROLES: Array<[string, string, string, string[]]> = [
  ['admin', 'Administrator', 'Every permission, including user and role management', ['*']],
  [
    'operator',
    'Operator',
    'Runs and repairs workflows: reads everything, starts/cancels/terminates runs, handles dead letters',
    [
      ...READS,
      'api_keys:write',
      'workflow_instances:start',
      'workflow_instances:cancel',
      'workflow_instances:terminate',
      'events:publish',
      'dead_letters:write',
      'triggers:write',
    ],
  ],
  ['viewer', 'Viewer', 'Read-only access to every resource', READS],
  ['publisher', 'Event publisher', 'Machine clients that publish events', ['events:publish', 'event_definitions:read']],
];

/** Creates refresh_tokens and seeds permissions and roles. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('refresh_tokens', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'user_id', `${S}.users`, { onDelete: 'CASCADE' });
    t.string('token_hash', 64).notNullable().unique(); // sha-256 hex of the opaque token; the token itself is never stored
    t.uuid('family_id').notNullable(); // all rotations of one login; reuse of a rotated token revokes the family
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.uuid('replaced_by');
    t.string('user_agent', 512);
    t.string('ip', 64);
    timestamps(knex, t);
    t.index(['family_id']);
    t.index(['expires_at']);
  });
  await touchUpdatedAt(knex, `${S}.refresh_tokens`);

  const perms = [['*', '*', '*', 'All permissions'], ...ALL.map((p) => [p, ...p.split(':'), p])];
  await knex(`${S}.permissions`)
    .insert(perms.map(([permission_id, resource, action, name]) => ({ permission_id, resource, action, name })))
    .onConflict('permission_id')
    .ignore();
  for (const [role_id, name, description, grants] of ROLES) {
    await knex(`${S}.roles`).insert({ role_id, name, description, is_system: true }).onConflict('role_id').ignore();
    await knex.raw(
      `INSERT INTO ${S}.role_permissions (role_id, permission_id)
       SELECT r.id, p.id FROM ${S}.roles r JOIN ${S}.permissions p ON p.permission_id = ANY(?)
        WHERE r.role_id = ? ON CONFLICT DO NOTHING`,
      [grants, role_id],
    );
  }
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
