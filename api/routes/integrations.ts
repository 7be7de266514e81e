/**
 * Integrations: definitions (a type of external system, with the JSON Schemas of its config and
 * credentials) and instances (one configured connection). Instance config is validated against its
 * definition's schema; credentials are encrypted with AES-256-GCM before they reach the database and
 * are never returned (responses carry `has_credentials` instead).
 */
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { createCredentialsCipher } from '../../common/credentials-cipher';
import { AppError, type FieldError } from '../../common/errors';
import { deleteInstance, getInstance, insertInstance, instancesQuery, updateInstance } from '../../db/repositories/integration-instances';
import { principalOf } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { definitionRoutes } from '../http/definition-routes';
import { jsonSchemaErrorsOffThread, valueErrorsOffThread } from '../../services/validation';
import { applyListFilters, listQuery, pageSchema } from '../http/list-query';
import { paginate } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { AnyObject, Enum, Nullable, Uuid } from '../http/schema';

const DEFS = 'integration_service.integration_definitions';
const R = 'integrations:read';
const W = 'integrations:write';
const schemaField = { type: ['object', 'boolean', 'null'] };

const definitions = definitionRoutes({
  path: '/integration-definitions', table: DEFS, businessId: 'integration_id',
  tag: 'integrations', operation: 'IntegrationDefinition', noun: 'integration definition', read: R, write: W,
  required: ['integration_type'],
  fields: {
    integration_type: { type: 'string', pattern: '^[a-z0-9_-]{1,50}$' },
    auth_type: { enum: ['none', 'api_key', 'basic', 'oauth2'] },
    config_schema: { ...schemaField, description: 'JSON Schema of integration_instances.config' },
    credentials_schema: { ...schemaField, description: 'JSON Schema of the (encrypted) credentials' },
    operations: { type: 'array', maxItems: 500, items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 255 } } } },
    ui_metadata: { type: ['object', 'null'] },
  },
  check: async (b) => [
    ...(b.config_schema == null ? [] : await jsonSchemaErrorsOffThread(b.config_schema, '/body/config_schema')),
    ...(b.credentials_schema == null ? [] : await jsonSchemaErrorsOffThread(b.credentials_schema, '/body/credentials_schema')),
  ],
});

const time = { type: 'string', format: 'date-time' };
const instance = {
  type: 'object', required: ['id', 'instance_id', 'name', 'integration_definition_id', 'config', 'status', 'has_credentials'],
  properties: {
    id: { type: 'string', format: 'uuid' }, instance_id: { type: 'string' }, name: { type: 'string' }, description: { type: ['string', 'null'] },
    integration_definition_id: { type: 'string', format: 'uuid' }, config: { type: 'object' }, has_credentials: { type: 'boolean' },
    credentials_key_id: { type: ['string', 'null'] }, credentials_expires_at: { type: ['string', 'null'], format: 'date-time' },
    status: { enum: ['active', 'disabled', 'error'] }, owner_user_id: { type: ['string', 'null'] }, last_used_at: { type: ['string', 'null'], format: 'date-time' },
    last_error: {}, created_at: time, updated_at: time,
  },
};
// Required at creation: name and config (with instance_id and integration_definition_id); PATCH takes any of them.
const editable = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  config: AnyObject(),
  credentials: Type.Optional(Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'], description: 'Write-only; encrypted at rest; null removes them' })),
  credentials_expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  status: Type.Optional(Enum(['active', 'disabled', 'error'])),
};
const idParams = Type.Object({ id: Uuid() });

/** Validates config/credentials against the definition; returns the columns to write (credentials encrypted). */
async function prepare(deps: ApiDeps, definitionId: string, rowId: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const def = await deps.db(DEFS).where({ id: definitionId }).first('config_schema', 'credentials_schema');
  if (!def) throw AppError.unprocessable('Unknown integration definition', [{ pointer: '/body/integration_definition_id', message: 'does not exist' }]);
  const errors: FieldError[] = [];
  if (body.config !== undefined && def.config_schema != null) errors.push(...await valueErrorsOffThread(def.config_schema, body.config, '/body/config'));
  if (body.credentials != null && def.credentials_schema != null) errors.push(...await valueErrorsOffThread(def.credentials_schema, body.credentials, '/body/credentials'));
  if (errors.length) throw AppError.unprocessable('The integration instance is invalid', errors);
  const { credentials, ...rest } = body;
  if (credentials === undefined) return rest;
  if (credentials === null) return { ...rest, credentials: null, credentials_key_id: null };
  const cipher = createCredentialsCipher(deps.config.credentialsEncryptionKey);
  return { ...rest, credentials: cipher.encrypt(credentials, rowId), credentials_key_id: cipher.keyId };
}

const instances: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/integration-instances', operationId: 'listIntegrationInstances', summary: 'List integration instances (never their credentials)', tags: ['integrations'], permission: R,
    query: listQuery({ status: ['active', 'disabled', 'error'] }, { integration_definition_id: Uuid() }),
    responses: { 200: { description: 'A page of instances', schema: pageSchema(instance) } },
    handler: async ({ deps, query }) => {
      const q = applyListFilters(instancesQuery(deps.db), query);
      if (query.integration_definition_id) q.where({ integration_definition_id: query.integration_definition_id });
      return { body: await paginate(deps.db, q, query) };
    },
  }),
  defineRoute({
    method: 'post', path: '/integration-instances', operationId: 'createIntegrationInstance', summary: 'Configure an integration instance', tags: ['integrations'], permission: W,
    body: Type.Object({ instance_id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,255}$' }), integration_definition_id: Uuid(), ...editable }, { additionalProperties: false }),
    responses: { 201: { description: 'Created', schema: instance }, 409: { description: 'instance_id taken' } },
    handler: async ({ deps, body, res }) => {
      // The id is chosen here because the ciphertext is bound to it (AES-GCM associated data).
      const id = randomUUID();
      const values = await prepare(deps, body.integration_definition_id, id, body);
      const row = await insertInstance(deps.db, { ...values, id, owner_user_id: principalOf(res).userId });
      return { status: 201, body: row, headers: { Location: `/api/v1/integration-instances/${id}` } };
    },
  }),
  defineRoute({
    method: 'get', path: '/integration-instances/:id', operationId: 'getIntegrationInstance', summary: 'Read an integration instance (never its credentials)', tags: ['integrations'], permission: R, params: idParams,
    responses: { 200: { description: 'The instance', schema: instance }, 404: { description: 'Not found' } },
    handler: async ({ deps, params }) => {
      const row = await getInstance(deps.db, params.id);
      if (!row) throw AppError.notFound(`Integration instance ${params.id} not found`);
      return { body: row };
    },
  }),
  defineRoute({
    method: 'patch', path: '/integration-instances/:id', operationId: 'updateIntegrationInstance', summary: 'Update config, credentials or status', tags: ['integrations'], permission: W,
    params: idParams, body: Type.Partial(Type.Object(editable), { additionalProperties: false, minProperties: 1 }),
    responses: { 200: { description: 'Updated', schema: instance }, 404: { description: 'Not found' } },
    handler: async ({ deps, params, body }) => {
      const current = await getInstance(deps.db, params.id);
      if (!current) throw AppError.notFound(`Integration instance ${params.id} not found`);
      const values = await prepare(deps, String(current.integration_definition_id), params.id, body);
      return { body: await updateInstance(deps.db, params.id, values) };
    },
  }),
  defineRoute({
    method: 'delete', path: '/integration-instances/:id', operationId: 'deleteIntegrationInstance', summary: 'Delete an integration instance', tags: ['integrations'], permission: W, params: idParams,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'Not found' } },
    handler: async ({ deps, params }) => {
      if (!(await deleteInstance(deps.db, params.id))) throw AppError.notFound(`Integration instance ${params.id} not found`);
      return { status: 204 };
    },
  }),
];

/** `/integration-definitions` and `/integration-instances` routes. */
export const integrationRoutes: RouteDefinition[] = [...definitions, ...instances];
