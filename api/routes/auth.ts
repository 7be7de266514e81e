/** Sessions: login, token refresh, logout, and "who am I". */
import { Type } from '@sinclair/typebox';
import { findUser } from '../../services/auth';
import { AUTHENTICATED } from '../auth/permissions';
import { loginLimiter } from '../auth/login-limiter';
import { principalOf } from '../auth/principal';
import { passwordSchema, tokenPairSchema, userSchema } from '../auth/schemas';
import { login, logout, refresh } from '../auth/sessions';
import { defineRoute, type RouteDefinition } from '../http/route';

const refreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);

const meta = (req: { get(h: string): string | undefined; ip?: string }) => ({
  userAgent: req.get('user-agent'),
  ip: req.ip,
});

/** `/auth/*` routes. */
export const authRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/auth/login',
    operationId: 'login',
    summary: 'Log in with username (or email) and password',
    tags: ['auth'],
    permission: 'public',
    body: Type.Object(
      {
        username: Type.String({ minLength: 1, maxLength: 320 }),
        password: Type.String({ ...passwordSchema, minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    middleware: loginLimiter,
    responses: {
      200: { description: 'Access and refresh tokens', schema: tokenPairSchema },
      401: { description: 'Invalid username or password' },
      429: { description: 'Too many failed attempts' },
    },
    handler: async ({ deps, body, req }) => ({
      body: await login(deps, body.username, body.password, meta(req)),
      headers: { 'Cache-Control': 'no-store' },
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/auth/refresh',
    operationId: 'refreshToken',
    summary: 'Exchange a refresh token for new tokens (rotates it)',
    tags: ['auth'],
    permission: 'public',
    body: refreshBody,
    responses: {
      200: { description: 'New access and refresh tokens', schema: tokenPairSchema },
      401: { description: 'Invalid, expired or revoked refresh token' },
    },
    handler: async ({ deps, body, req, res }) => ({
      body: await refresh(deps, body.refresh_token, meta(req), res.locals.log),
      headers: { 'Cache-Control': 'no-store' },
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/auth/logout',
    operationId: 'logout',
    summary: 'Revoke the session a refresh token belongs to',
    tags: ['auth'],
    permission: 'public',
    body: refreshBody,
    responses: { 204: { description: 'Logged out (also when the token was unknown)' } },
    handler: async ({ deps, body }) => {
      await logout(deps, body.refresh_token);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/auth/me',
    operationId: 'whoAmI',
    summary: 'The calling user and their effective permissions',
    tags: ['auth'],
    permission: AUTHENTICATED,
    responses: {
      200: {
        description: 'The caller',
        schema: {
          ...userSchema,
          properties: {
            ...(userSchema.properties as object),
            permissions: { type: 'array', items: { type: 'string' } },
            via: { enum: ['token', 'api_key'] },
          },
        },
      },
    },
    handler: async ({ deps, res }) => {
      const p = principalOf(res);
      const user = await findUser(deps.db, p.userId);
      return { body: { ...user, permissions: [...p.permissions].sort(), via: p.via } };
    },
  }),
];
