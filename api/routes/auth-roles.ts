/** Role and permission management (users:admin). Built-in roles can be edited but not deleted. */
import { Type } from '@sinclair/typebox';
import { listPermissions, listRolePage, removeRole, roleOrNotFound, saveRoleChecked } from '../../services/auth';
import { permissionSchema, roleIdSchema, roleSchema } from '../auth/schemas';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Nullable } from '../http/schema';

const P = 'users:admin';
const roleParams = Type.Object({ role_id: roleIdSchema });
const roleFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  permissions: Type.Array(permissionSchema, { uniqueItems: true, maxItems: 500 }),
};

/** `/roles` and `/permissions` routes. */
export const roleRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/permissions',
    operationId: 'listPermissions',
    summary: 'The permission catalogue',
    tags: ['users'],
    permission: P,
    responses: {
      200: {
        description: 'Every permission',
        schema: {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: { type: 'object' } } },
        },
      },
    },
    handler: async ({ deps }) => ({ body: { items: await listPermissions(deps.db) } }),
  }),
  defineRoute({
    method: 'get',
    path: '/roles',
    operationId: 'listRoles',
    summary: 'List roles with their permissions',
    tags: ['users'],
    permission: P,
    query: listQuery(),
    responses: { 200: { description: 'A page of roles', schema: pageSchema(roleSchema) } },
    handler: async ({ deps, query }) => ({ body: toPage(await listRolePage(deps.db, query)) }),
  }),
  defineRoute({
    method: 'post',
    path: '/roles',
    operationId: 'createRole',
    summary: 'Create a role',
    tags: ['users'],
    permission: P,
    body: Type.Object({ role_id: roleIdSchema, ...roleFields }, { additionalProperties: false }),
    responses: { 201: { description: 'Created', schema: roleSchema }, 409: { description: 'Role id taken' } },
    handler: async ({ deps, body }) => ({
      status: 201,
      body: await saveRoleChecked(deps.db, body, true),
      headers: { Location: `/api/v1/roles/${body.role_id}` },
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/roles/:role_id',
    operationId: 'getRole',
    summary: 'Read a role',
    tags: ['users'],
    permission: P,
    params: roleParams,
    responses: { 200: { description: 'The role', schema: roleSchema }, 404: { description: 'Not found' } },
    handler: async ({ deps, params }) => ({ body: await roleOrNotFound(deps.db, params.role_id) }),
  }),
  defineRoute({
    method: 'put',
    path: '/roles/:role_id',
    operationId: 'replaceRole',
    summary: "Replace a role's name, description and permissions",
    tags: ['users'],
    permission: P,
    params: roleParams,
    body: Type.Object(roleFields, { additionalProperties: false }),
    responses: { 200: { description: 'The updated role', schema: roleSchema }, 404: { description: 'Not found' } },
    handler: async ({ deps, params, body }) => ({
      body: await saveRoleChecked(deps.db, { ...body, role_id: params.role_id }, false),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/roles/:role_id',
    operationId: 'deleteRole',
    summary: 'Delete a custom role',
    tags: ['users'],
    permission: P,
    params: roleParams,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'Not found' },
      409: { description: 'Built-in roles cannot be deleted' },
    },
    handler: async ({ deps, params }) => {
      await removeRole(deps.db, params.role_id);
      return { status: 204 };
    },
  }),
];
