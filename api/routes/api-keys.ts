/**
 * API keys for machine clients. A key acts as the user who created it, optionally narrowed to `scopes`;
 * it is returned once at creation and stored only as a hash with a visible prefix.
 */
import { Type } from '@sinclair/typebox';
import type { Response } from 'express';
import { createApiKey, listKeysOf, revokeKey, type KeyCaller } from '../../services/auth';
import { can, principalOf } from '../auth/principal';
import { apiKeySchema, permissionSchema, uuidSchema } from '../auth/schemas';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';

/** The caller as the key service sees them. */
function callerOf(res: Response): KeyCaller {
  const p = principalOf(res);
  return { userId: p.userId, holds: (permission) => can(p, permission) };
}

/** `/api-keys` routes. */
export const apiKeyRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/api-keys',
    operationId: 'listApiKeys',
    summary: "List your API keys (all users' with users:admin and all=true)",
    tags: ['api-keys'],
    permission: 'api_keys:read',
    query: listQuery({ status: ['active', 'revoked'] }, { all: Type.Boolean({ default: false }) }),
    responses: { 200: { description: 'A page of keys (never the secret)', schema: pageSchema(apiKeySchema) } },
    handler: async ({ deps, query, res }) => ({ body: toPage(await listKeysOf(deps.db, callerOf(res), query, query)) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key; the key is in this response only',
    tags: ['api-keys'],
    permission: 'api_keys:write',
    body: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255 }),
        scopes: Type.Optional(
          Type.Array(permissionSchema, {
            uniqueItems: true,
            maxItems: 200,
            description: 'Narrow the key to these of your permissions',
          }),
        ),
        expires_at: Type.Optional(Type.String({ format: 'date-time' })),
      },
      { additionalProperties: false },
    ),
    responses: {
      201: {
        description: 'The key (shown once) and its record',
        schema: {
          ...apiKeySchema,
          required: [...(apiKeySchema.required as string[]), 'key'],
          properties: { ...(apiKeySchema.properties as object), key: { type: 'string' } },
        },
      },
    },
    handler: async ({ deps, body, res }) => {
      const row = await createApiKey(deps.db, callerOf(res), body);
      return {
        status: 201,
        body: row,
        headers: { 'Cache-Control': 'no-store', Location: `/api/v1/api-keys/${String(row.id)}` },
      };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api-keys/:id',
    operationId: 'revokeApiKey',
    summary: "Revoke an API key (yours, or anyone's with users:admin)",
    tags: ['api-keys'],
    permission: 'api_keys:write',
    params: Type.Object({ id: uuidSchema }),
    responses: { 204: { description: 'Revoked' }, 404: { description: 'No such active key' } },
    handler: async ({ deps, params, res }) => {
      await revokeKey(deps.db, callerOf(res), params.id);
      return { status: 204 };
    },
  }),
];
