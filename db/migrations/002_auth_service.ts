/**
 * auth_service: users, roles, permissions (the three documented tables) plus the join tables
 * user_roles and role_permissions and api_keys for machine clients.
 */
import type { Knex } from 'knex';
import { foreignKey, idColumn, statusColumn, timestamps, touchUpdatedAt } from './helpers';

const S = 'auth_service';

/** Creates the auth tables. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('users', (t) => {
    idColumn(knex, t);
    t.string('username', 255).notNullable().unique();
    t.string('email', 320);
    t.string('display_name', 255);
    // Null for API-key-only service accounts; otherwise a memory-hard KDF hash (the API decides the format).
    t.text('password_hash');
    statusColumn(t, ['active', 'disabled', 'locked'], 'active');
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.integer('failed_login_count').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('last_login_at', { useTz: true });
    timestamps(knex, t);
  });
  // Emails compare case-insensitively (citext is not among our extensions).
  await knex.raw(`CREATE UNIQUE INDEX users_email_lower_unique ON ${S}.users (lower(email))`);

  await knex.schema.withSchema(S).createTable('roles', (t) => {
    idColumn(knex, t);
    t.string('role_id', 255).notNullable().unique(); // e.g. "admin", "operator"
    t.string('name', 255).notNullable();
    t.text('description');
    t.boolean('is_system').notNullable().defaultTo(false);
    timestamps(knex, t);
  });

  await knex.schema.withSchema(S).createTable('permissions', (t) => {
    idColumn(knex, t);
    t.string('permission_id', 255).notNullable().unique(); // "<resource>:<action>", e.g. "events:publish"
    t.string('resource', 255).notNullable();
    t.string('action', 100).notNullable();
    t.string('name', 255).notNullable();
    t.text('description');
    timestamps(knex, t);
    t.index(['resource']);
  });

  await knex.schema.withSchema(S).createTable('user_roles', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'user_id', `${S}.users`, { onDelete: 'CASCADE' });
    foreignKey(t, 'role_id', `${S}.roles`, { onDelete: 'CASCADE' });
    timestamps(knex, t);
    t.unique(['user_id', 'role_id']);
  });

  await knex.schema.withSchema(S).createTable('role_permissions', (t) => {
    idColumn(knex, t);
    foreignKey(t, 'role_id', `${S}.roles`, { onDelete: 'CASCADE' });
    foreignKey(t, 'permission_id', `${S}.permissions`, { onDelete: 'CASCADE' });
    timestamps(knex, t);
    t.unique(['role_id', 'permission_id']);
  });

  await knex.schema.withSchema(S).createTable('api_keys', (t) => {
    idColumn(knex, t);
    // The key is shown once as "<prefix>.<secret>"; only the prefix (lookup) and a hash of the whole key are kept.
    t.string('prefix', 64).notNullable().unique();
    t.text('key_hash').notNullable();
    t.string('name', 255).notNullable();
    foreignKey(t, 'user_id', `${S}.users`, { onDelete: 'CASCADE' });
    t.jsonb('scopes'); // optional narrowing of the owner's permissions
    statusColumn(t, ['active', 'revoked'], 'active');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    timestamps(knex, t);
  });

  for (const table of ['users', 'roles', 'permissions', 'user_roles', 'role_permissions', 'api_keys']) {
    await touchUpdatedAt(knex, `${S}.${table}`);
  }
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
