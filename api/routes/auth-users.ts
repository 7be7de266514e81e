/** User management (users:admin): create, list, read, update (incl. password and status), roles, delete. */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../common/errors';
import { deleteUser, getUser, insertUser, listUsers, setUserRoles, updateUser } from '../../db/repositories/auth-users';
import { hashPassword } from '../auth/passwords';
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
const found = async (db: Parameters<typeof getUser>[0], id: string) => {
  const user = await getUser(db, id);
  if (!user) throw AppError.notFound(`User ${id} not found`);
  return user;
};
const assignRoles = async (db: Parameters<typeof setUserRoles>[0], id: string, roleIds: string[]) => {
  const unknown = await setUserRoles(db, id, roleIds);
  if (unknown.length)
    throw AppError.unprocessable(
      'Unknown roles',
      unknown.map((r) => ({ pointer: `/body/roles/${roleIds.indexOf(r)}`, message: `role ${r} does not exist` })),
    );
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
    handler: async ({ deps, query }) => ({ body: toPage(await listUsers(deps.db, query, query)) }),
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
      const password_hash = body.password ? await hashPassword(body.password) : null;
      // One transaction: an unknown role must not leave a half-created user behind.
      const id = await deps.db.transaction(async (trx) => {
        const userId = await insertUser(trx, {
          username: body.username,
          email: body.email,
          display_name: body.display_name,
          status: body.status,
          password_hash,
        });
        await assignRoles(trx, userId, body.roles ?? []);
        return userId;
      });
      return { status: 201, body: await found(deps.db, id), headers: { Location: `/api/v1/users/${id}` } };
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
    handler: async ({ deps, params }) => ({ body: await found(deps.db, params.id) }),
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
    handler: async ({ deps, params, body }) => {
      const {
        password,
        roles: roleIds,
        ...rest
      } = body as { password?: string; roles?: string[] } & Record<string, unknown>;
      const changes = { ...rest, ...(password && { password_hash: await hashPassword(password) }) };
      await deps.db.transaction(async (trx) => {
        if (!(await updateUser(trx, params.id, changes))) throw AppError.notFound(`User ${params.id} not found`);
        if (roleIds) await assignRoles(trx, params.id, roleIds);
      });
      return { body: await found(deps.db, params.id) };
    },
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
      if (principalOf(res).userId === params.id) throw AppError.conflict('You cannot delete your own account');
      if (!(await deleteUser(deps.db, params.id))) throw AppError.notFound(`User ${params.id} not found`);
      return { status: 204 };
    },
  }),
];
