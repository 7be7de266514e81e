/**
 * Integrations: definitions (a type of external system, with the JSON Schemas of its config and
 * credentials) and instances (one configured connection). Instance config is validated against its
 * definition's schema; credentials are encrypted with AES-256-GCM before they reach the database and
 * are never returned (responses carry `has_credentials` instead).
 */
import { Type } from '@sinclair/typebox';
import {
  createIntegrationInstance,
  deleteIntegrationInstance,
  getIntegrationInstance,
  listIntegrationInstances,
  updateIntegrationInstance,
} from '../../services/integrations';
import { prepareIntegrationDefinition } from '../../services/integration-openapi';
import { jsonSchemaErrorsOffThread } from '../../services/validation';
import { principalOf } from '../auth/principal';
import { definitionRoutes } from '../http/definition-routes';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { AnyObject, Enum, Nullable, Uuid } from '../http/schema';

const R = 'integrations:read';
const W = 'integrations:write';
const schemaField = { type: ['object', 'boolean', 'null'] };

const definitions = definitionRoutes({
  path: '/integration-definitions',
  table: 'integration_service.integration_definitions',
  businessId: 'integration_id',
  tag: 'integrations',
  operation: 'IntegrationDefinition',
  noun: 'integration definition',
  read: R,
  write: W,
  required: ['integration_type'],
  fields: {
    integration_type: { type: 'string', pattern: '^[a-z0-9_-]{1,50}$' },
    auth_type: { enum: ['none', 'api_key', 'basic', 'oauth2'] },
    config_schema: { ...schemaField, description: 'JSON Schema of integration_instances.config' },
    credentials_schema: { ...schemaField, description: 'JSON Schema of the (encrypted) credentials' },
    operations: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 255 } },
      },
    },
    ui_metadata: { type: ['object', 'null'] },
    openapi: {
      type: 'object',
      description:
        'Write-only: an OpenAPI 3.0/3.1 document whose operations (by operationId) become `operations` (docs/tasks.md)',
      required: ['document'],
      additionalProperties: false,
      properties: {
        document: { type: 'object' },
        operations: { type: 'array', maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 255 } },
      },
    },
  },
  prepare: async (_db, content, current) => prepareIntegrationDefinition(content, current),
  check: async (b) => [
    ...(b.config_schema == null ? [] : await jsonSchemaErrorsOffThread(b.config_schema, '/body/config_schema')),
    ...(b.credentials_schema == null
      ? []
      : await jsonSchemaErrorsOffThread(b.credentials_schema, '/body/credentials_schema')),
  ],
});

const time = { type: 'string', format: 'date-time' };
const instance = {
  type: 'object',
  required: ['id', 'instance_id', 'name', 'integration_definition_id', 'config', 'status', 'has_credentials'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    instance_id: { type: 'string' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    integration_definition_id: { type: 'string', format: 'uuid' },
    config: { type: 'object' },
    has_credentials: { type: 'boolean' },
    credentials_key_id: { type: ['string', 'null'] },
    credentials_expires_at: { type: ['string', 'null'], format: 'date-time' },
    status: { enum: ['active', 'disabled', 'error'] },
    owner_user_id: { type: ['string', 'null'] },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    last_error: {},
    created_at: time,
    updated_at: time,
  },
};
// Required at creation: name and config (with instance_id and integration_definition_id); PATCH takes any of them.
const editable = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  config: AnyObject(),
  credentials: Type.Optional(
    Type.Unsafe<Record<string, unknown> | null>({
      type: ['object', 'null'],
      description: 'Write-only; encrypted at rest; null removes them',
    }),
  ),
  credentials_expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  status: Type.Optional(Enum(['active', 'disabled', 'error'])),
};
const idParams = Type.Object({ id: Uuid() });

const instances: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/integration-instances',
    operationId: 'listIntegrationInstances',
    summary: 'List integration instances (never their credentials)',
    tags: ['integrations'],
    permission: R,
    query: listQuery({ status: ['active', 'disabled', 'error'] }, { integration_definition_id: Uuid() }),
    responses: { 200: { description: 'A page of instances', schema: pageSchema(instance) } },
    handler: async ({ deps, query }) => {
      const filter = {
        status: query.status,
        integrationDefinitionId: query.integration_definition_id,
        createdAfter: query.created_after,
        createdBefore: query.created_before,
      };
      return { body: toPage(await listIntegrationInstances(deps.db, filter, query)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/integration-instances',
    operationId: 'createIntegrationInstance',
    summary: 'Configure an integration instance',
    tags: ['integrations'],
    permission: W,
    body: Type.Object(
      {
        instance_id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,255}$' }),
        integration_definition_id: Uuid(),
        ...editable,
      },
      { additionalProperties: false },
    ),
    responses: { 201: { description: 'Created', schema: instance }, 409: { description: 'instance_id taken' } },
    handler: async ({ deps, body, res }) => {
      const row = await createIntegrationInstance(
        deps.db,
        deps.config.credentialsEncryptionKey,
        body,
        principalOf(res).userId,
      );
      return { status: 201, body: row, headers: { Location: `/api/v1/integration-instances/${String(row.id)}` } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/integration-instances/:id',
    operationId: 'getIntegrationInstance',
    summary: 'Read an integration instance (never its credentials)',
    tags: ['integrations'],
    permission: R,
    params: idParams,
    responses: { 200: { description: 'The instance', schema: instance }, 404: { description: 'Not found' } },
    handler: async ({ deps, params }) => {
      return { body: await getIntegrationInstance(deps.db, params.id) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/integration-instances/:id',
    operationId: 'updateIntegrationInstance',
    summary: 'Update config, credentials or status',
    tags: ['integrations'],
    permission: W,
    params: idParams,
    body: Type.Partial(Type.Object(editable), { additionalProperties: false, minProperties: 1 }),
    responses: { 200: { description: 'Updated', schema: instance }, 404: { description: 'Not found' } },
    handler: async ({ deps, params, body }) => {
      return { body: await updateIntegrationInstance(deps.db, deps.config.credentialsEncryptionKey, params.id, body) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/integration-instances/:id',
    operationId: 'deleteIntegrationInstance',
    summary: 'Delete an integration instance',
    tags: ['integrations'],
    permission: W,
    params: idParams,
    responses: { 204: { description: 'Deleted' }, 404: { description: 'Not found' } },
    handler: async ({ deps, params }) => {
      await deleteIntegrationInstance(deps.db, params.id);
      return { status: 204 };
    },
  }),
];

/** `/integration-definitions` and `/integration-instances` routes. */
export const integrationRoutes: RouteDefinition[] = [...definitions, ...instances];
