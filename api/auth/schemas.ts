/** JSON Schemas of the auth resources, shared by their routes and the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { JsonSchema } from '../http/route';
import { Uuid } from '../http/schema';

export const usernameSchema = Type.String({ pattern: '^[A-Za-z0-9._@-]{1,255}$' });
export const passwordSchema = Type.String({ minLength: 12, maxLength: 1024, description: 'At least 12 characters' });
export const emailSchema = Type.String({ format: 'email', maxLength: 320 });
export const permissionSchema = Type.String({ pattern: '^(\\*|[a-z_]+:[a-z_]+)$', maxLength: 255 });
export const roleIdSchema = Type.String({ pattern: '^[a-z0-9_-]{1,100}$' });
export const uuidSchema = Uuid();
const time: JsonSchema = { type: 'string', format: 'date-time' };
const nullableTime: JsonSchema = { type: ['string', 'null'], format: 'date-time' };

export const tokenPairSchema: JsonSchema = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in', 'refresh_token', 'refresh_expires_in'],
  properties: {
    access_token: { type: 'string' },
    token_type: { const: 'Bearer' },
    expires_in: { type: 'integer' },
    refresh_token: { type: 'string' },
    refresh_expires_in: { type: 'integer' },
  },
};

export const userSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'username', 'status', 'roles', 'created_at', 'updated_at'],
  properties: {
    id: uuidSchema,
    username: { type: 'string' },
    email: { type: ['string', 'null'] },
    display_name: { type: ['string', 'null'] },
    status: { enum: ['active', 'disabled', 'locked'] },
    roles: { type: 'array', items: { type: 'string' } },
    last_login_at: nullableTime,
    created_at: time,
    updated_at: time,
  },
};

export const roleSchema: JsonSchema = {
  type: 'object',
  required: ['role_id', 'name', 'is_system', 'permissions'],
  properties: {
    id: uuidSchema,
    role_id: { type: 'string' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    is_system: { type: 'boolean' },
    permissions: { type: 'array', items: { type: 'string' } },
    created_at: time,
    updated_at: time,
  },
};

export const apiKeySchema: JsonSchema = {
  type: 'object',
  required: ['id', 'prefix', 'name', 'user_id', 'status'],
  properties: {
    id: uuidSchema,
    prefix: { type: 'string' },
    name: { type: 'string' },
    user_id: uuidSchema,
    scopes: { type: ['array', 'null'], items: { type: 'string' } },
    status: { enum: ['active', 'revoked'] },
    expires_at: nullableTime,
    last_used_at: nullableTime,
    revoked_at: nullableTime,
    created_at: time,
    updated_at: time,
  },
};
