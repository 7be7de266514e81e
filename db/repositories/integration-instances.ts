/**
 * integration_service.integration_instances. The `credentials` column (ciphertext) is never selected
 * here except by {@link getInstanceCredentials}, the one read the integration task activity needs.
 */
import type { Knex } from 'knex';
import { paginateSelect, type Page, type PageRequest } from './keyset';
import { toDb, type Db } from './sql';

const T = 'integration_service.integration_instances';
export const INTEGRATION_DEFINITIONS = 'integration_service.integration_definitions';

/** Filters of an instance list; undefined values are no filter. */
export interface InstanceFilter {
  status?: string;
  integrationDefinitionId?: string;
  createdAfter?: string;
  createdBefore?: string;
}

/** Every column except the credentials ciphertext, plus whether credentials are set. */
function instanceColumns(db: Db): Array<string | Knex.Raw> {
  return [
    'id',
    'instance_id',
    'name',
    'description',
    'integration_definition_id',
    'config',
    'credentials_key_id',
    'credentials_expires_at',
    'status',
    'owner_user_id',
    'last_used_at',
    'last_error',
    'created_at',
    'updated_at',
    db.raw('(credentials IS NOT NULL) AS has_credentials'),
  ];
}

/** List query (explicit select list; no credentials). */
function instancesQuery(db: Db): Knex.QueryBuilder {
  return db(T).select(instanceColumns(db));
}

/** A page of instances (no credentials), newest first. */
export async function listInstances(
  db: Db,
  f: InstanceFilter,
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const q = instancesQuery(db);
  if (f.createdAfter) q.where('created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('created_at', '<', f.createdBefore);
  if (f.status) q.where('status', f.status);
  if (f.integrationDefinitionId) q.where({ integration_definition_id: f.integrationDefinitionId });
  return paginateSelect(q, page);
}

/** The JSON Schemas of an integration definition that its instances' config and credentials must satisfy. */
export async function getDefinitionSchemas(
  db: Db,
  definitionId: string,
): Promise<{ config_schema: unknown; credentials_schema: unknown } | undefined> {
  return db(INTEGRATION_DEFINITIONS).where({ id: definitionId }).first('config_schema', 'credentials_schema');
}

/** One instance without credentials. */
export async function getInstance(db: Db, id: string): Promise<Record<string, unknown> | undefined> {
  return instancesQuery(db).where({ id }).first();
}

/** Inserts an instance (credentials already encrypted); returns it without credentials. */
export async function insertInstance(db: Db, values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const [row] = await db(T).insert(toDb(values)).returning(instanceColumns(db));
  return row as Record<string, unknown>;
}

/** Updates an instance; returns it without credentials, or undefined when missing. */
export async function updateInstance(
  db: Db,
  id: string,
  values: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const [row] = await db(T).where({ id }).update(toDb(values)).returning(instanceColumns(db));
  return row as Record<string, unknown> | undefined;
}

/** Deletes an instance. */
export async function deleteInstance(db: Db, id: string): Promise<boolean> {
  return (await db(T).where({ id }).delete()) > 0;
}

/** The ciphertext and key id, for decryption inside the integration activity only. */
export async function getInstanceCredentials(
  db: Db,
  id: string,
): Promise<{ credentials: Buffer | null; credentials_key_id: string | null } | undefined> {
  return db(T).where({ id }).first('credentials', 'credentials_key_id');
}

/** The instance with business id `instanceId` (no credentials), or undefined. */
export async function findInstanceByInstanceId(
  db: Db,
  instanceId: string,
): Promise<Record<string, unknown> | undefined> {
  return instancesQuery(db).where({ instance_id: instanceId }).first();
}

/** What an integration task needs of an instance's definition (by integration_definitions.id), or undefined. */
export async function getInstanceDefinition(
  db: Db,
  definitionRowId: string,
): Promise<
  | { integration_id: string; version: string; auth_type: string | null; operations: unknown; config_schema: unknown }
  | undefined
> {
  return db('integration_service.integration_definitions')
    .where({ id: definitionRowId })
    .first('integration_id', 'version', 'auth_type', 'operations', 'config_schema');
}
