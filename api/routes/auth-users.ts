/** User management (users:admin): create, list, read, update (incl. password and status), roles, delete. */
import { Type } from '@sinclair/typebox';
import { changeUser, createUser, listUserPage, removeUser, userOrNotFound } from '../../services/auth';
import { principalOf } from '../auth/principal';
import { emailSchema, passwordSchema, roleIdSchema, userSchema, usernameSchema, uuidSchema } from '../auth/schemas';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Enum, Nullable } from '../http/schema';

const P = 'users:admin';
const idParams = Type.Object({ id: uuidSchema });
const roles = Type.Optional(Type.Array(roleIdSchema, { uniqueItems: true, maxItems: 100 }));
const userFields = {
  email: Type.Optional(Type.Union([emailSchema, Type.Null()])),
  display_name: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
  password: Type.Optional(passwordSchema),
  status: Type.Optional(Enum(['active', 'disabled', 'locked'])),
};
/** `/users` routes. */
export const userRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    summary: 'List users',
    tags: ['users'],
    permission: P,
    query: listQuery({ status: ['active', 'disabled', 'locked'] }),
    responses: { 200: { description: 'A page of users', schema: pageSchema(userSchema) } },
    handler: async ({ deps, query }) => ({ body: toPage(await listUserPage(deps.db, query, query)) }),
  }),
  defineRoute({
    method: 'post',
    path: '/users',
    operationId: 'createUser',
    summary: 'Create a user',
    tags: ['users'],
    permission: P,
    body: Type.Object({ username: usernameSchema, ...userFields, roles }, { additionalProperties: false }),
    responses: { 201: { description: 'Created', schema: userSchema }, 409: { description: 'Username or email taken' } },
    handler: async ({ deps, body }) => {
      const user = await createUser(deps.db, body);
      return { status: 201, body: user, headers: { Location: `/api/v1/users/${user.id}` } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id',
    operationId: 'getUser',
    summary: 'Read a user',
    tags: ['users'],
    permission: P,
    params: idParams,
    responses: { 200: { description: 'The user', schema: userSchema }, 404: { description: 'Not found' } },
    handler: async ({ deps, params }) => ({ body: await userOrNotFound(deps.db, params.id) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/users/:id',
    operationId: 'updateUser',
    summary: 'Update a user (email, name, password, status, roles)',
    tags: ['users'],
    permission: P,
    params: idParams,
    body: Type.Object({ ...userFields, roles }, { additionalProperties: false, minProperties: 1 }),
    responses: { 200: { description: 'The updated user', schema: userSchema }, 404: { description: 'Not found' } },
    handler: async ({ deps, params, body }) => ({ body: await changeUser(deps.db, params.id, body) }),
  }),
  defineRoute({
    method: 'delete',
    path: '/users/:id',
    operationId: 'deleteUser',
    summary: 'Delete a user (their API keys and sessions go with them)',
    tags: ['users'],
    permission: P,
    params: idParams,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'Not found' },
      409: { description: 'You cannot delete yourself' },
    },
    handler: async ({ deps, params, res }) => {
      await removeUser(deps.db, params.id, principalOf(res).userId);
      return { status: 204 };
    },
  }),
];
