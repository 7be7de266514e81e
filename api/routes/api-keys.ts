/**
 * API keys for machine clients. A key acts as the user who created it, optionally narrowed to `scopes`;
 * it is returned once at creation and stored only as a hash with a visible prefix.
 */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../common/errors';
import { insertApiKey, listApiKeys, revokeApiKey } from '../../db/repositories/auth-credentials';
import { can, principalOf } from '../auth/principal';
import { apiKeySchema, permissionSchema, uuidSchema } from '../auth/schemas';
import { newApiKey } from '../auth/tokens';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';

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
    handler: async ({ deps, query, res }) => {
      const p = principalOf(res);
      const userId = query.all && can(p, 'users:admin') ? undefined : p.userId;
      return { body: toPage(await listApiKeys(deps.db, { userId, status: query.status }, query)) };
    },
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
      const p = principalOf(res);
      const beyond = (body.scopes ?? []).filter((s: string) => !can(p, s));
      if (beyond.length)
        throw AppError.unprocessable(
          'A key cannot hold permissions you do not have',
          beyond.map((s: string) => ({ pointer: `/body/scopes/${body.scopes!.indexOf(s)}`, message: `you lack ${s}` })),
        );
      if (body.expires_at && Date.parse(body.expires_at) <= Date.now())
        throw AppError.unprocessable('Expiry is in the past', [
          { pointer: '/body/expires_at', message: 'must be in the future' },
        ]);
      const k = newApiKey();
      const row = await insertApiKey(deps.db, {
        prefix: k.prefix,
        key_hash: k.hash,
        name: body.name,
        user_id: p.userId,
        scopes: body.scopes ?? null,
        expires_at: body.expires_at ?? null,
      });
      return {
        status: 201,
        body: { ...row, key: k.key },
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
      const p = principalOf(res);
      if (!(await revokeApiKey(deps.db, params.id, can(p, 'users:admin') ? undefined : p.userId)))
        throw AppError.notFound(`API key ${params.id} not found`);
      return { status: 204 };
    },
  }),
];
