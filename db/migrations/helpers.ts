/**
 * Building blocks shared by the migrations, so every table follows the same conventions
 * (uuid id, created_at/updated_at kept by a trigger, indexed foreign keys, history for definitions).
 * Not a migration itself: db/migrations/index.ts lists the real ones.
 */
import type { Knex } from 'knex';

/** The eight PostgreSQL schemas of the source data model, one per service. */
export const SCHEMAS = [
  'workflow_orchestrator_service',
  'event_processing_service',
  'task_execution_service',
  'integration_service',
  'auth_service',
  'observability_service',
  'testing_framework_service',
  'web_application_service',
] as const;

/** Adds `id uuid` primary key with a server-side default. */
export function idColumn(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
}

/** Adds `created_at` and `updated_at` (timestamptz, default now()). */
export function timestamps(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

/** A varchar limited to `values` by a CHECK constraint (not a native enum, so adding a value is one ALTER). */
export function enumColumn(t: Knex.CreateTableBuilder, name: string, values: readonly string[]): Knex.ColumnBuilder {
  return t.string(name, 50).checkIn([...values]);
}

/** Adds an indexed, NOT NULL status column limited to `values`. */
export function statusColumn(
  t: Knex.CreateTableBuilder,
  values: readonly string[],
  dflt: string,
  name = 'status',
): void {
  enumColumn(t, name, values).notNullable().defaultTo(dflt);
  t.index([name]);
}

/** Options for {@link foreignKey}. */
export interface FkOptions {
  nullable?: boolean;
  onDelete?: 'CASCADE' | 'SET NULL' | 'RESTRICT';
}

/** Adds a uuid foreign key column referencing `target(id)`, always with its own index (the convention: every FK is indexed). */
export function foreignKey(t: Knex.CreateTableBuilder, column: string, target: string, opts: FkOptions = {}): void {
  const col = t.uuid(column);
  if (!opts.nullable) col.notNullable();
  col
    .references('id')
    .inTable(target)
    .onDelete(opts.onDelete ?? (opts.nullable ? 'SET NULL' : 'RESTRICT'));
  t.index([column]);
}

/** Columns shared by versioned definition tables (workflow, task, event, ui component, integration). */
export function definitionColumns(knex: Knex, t: Knex.CreateTableBuilder, businessId: string): void {
  idColumn(knex, t);
  t.string(businessId, 255).notNullable();
  t.string('version', 50).notNullable();
  t.string('name', 255).notNullable();
  t.text('description');
  statusColumn(t, ['draft', 'active', 'deprecated'], 'draft');
  t.string('created_by', 255);
  t.string('updated_by', 255);
  timestamps(knex, t);
  // Several versions of one definition coexist; the pair is the business key.
  t.unique([businessId, 'version']);
}

/** Installs the shared BEFORE UPDATE trigger that keeps `updated_at` current. */
export async function touchUpdatedAt(knex: Knex, table: string): Promise<void> {
  await knex.raw(
    `CREATE TRIGGER set_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION public.aos_set_updated_at()`,
  );
}

/** A pg_trgm GIN index so definitions can be searched by name with ILIKE / similarity. */
export async function trigramIndex(knex: Knex, schema: string, table: string, column = 'name'): Promise<void> {
  await knex.raw(`CREATE INDEX ${table}_${column}_trgm ON ${schema}.${table} USING gin (${column} gin_trgm_ops)`);
}

/**
 * Creates `<schema>.<historyTable>` and the triggers that copy the previous row into it on every
 * real update and on delete: a plain-SQL stand-in for the temporal_tables extension.
 */
export async function keepHistory(
  knex: Knex,
  schema: string,
  table: string,
  historyTable: string,
  businessId: string,
): Promise<void> {
  await knex.schema.withSchema(schema).createTable(historyTable, (t) => {
    idColumn(knex, t);
    t.uuid('definition_id').notNullable(); // no FK: history outlives a deleted definition
    t.string('business_id', 255);
    t.string('version', 50);
    enumColumn(t, 'operation', ['UPDATE', 'DELETE']).notNullable();
    t.jsonb('row_data').notNullable();
    t.timestamp('valid_from', { useTz: true });
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('changed_by', 255);
    timestamps(knex, t);
    t.index(['definition_id', 'changed_at']);
    t.index(['business_id', 'version']);
  });
  const q = `${schema}.${table}`;
  await touchUpdatedAt(knex, `${schema}.${historyTable}`);
  // Only a real change is history; a no-op upsert (e.g. re-running seeds) must not add rows.
  await knex.raw(`CREATE TRIGGER record_history_update AFTER UPDATE ON ${q} FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at'))
    EXECUTE FUNCTION public.aos_record_history('${historyTable}', '${businessId}')`);
  await knex.raw(`CREATE TRIGGER record_history_delete AFTER DELETE ON ${q} FOR EACH ROW
    EXECUTE FUNCTION public.aos_record_history('${historyTable}', '${businessId}')`);
}

/**
 * Adds permissions to the catalogue (`[permission_id, name]`, id `resource:action`) and grants them to built-in
 * roles (`{ role_id: [permission_id...] }`); both idempotent. Built-in roles are seeded rows, so a feature that
 * brings permissions brings a migration calling this.
 */
export async function seedPermissions(
  knex: Knex,
  permissions: ReadonlyArray<readonly [string, string]>,
  grants: Readonly<Record<string, readonly string[]>>,
): Promise<void> {
  for (const [permission_id, name] of permissions) {
    const [resource, action] = permission_id.split(':');
    await knex('auth_service.permissions')
      .insert({ permission_id, resource, action, name })
      .onConflict('permission_id')
      .ignore();
  }
  for (const [role_id, granted] of Object.entries(grants)) {
    await knex.raw(
      `INSERT INTO auth_service.role_permissions (role_id, permission_id)
       SELECT r.id, p.id FROM auth_service.roles r JOIN auth_service.permissions p ON p.permission_id = ANY(?)
        WHERE r.role_id = ? ON CONFLICT DO NOTHING`,
      [[...granted], role_id],
    );
  }
}
