/**
 * Routes are declared as data: method, path, permission and JSON Schemas. The same declaration
 * mounts the Express handler, validates the request and generates the OpenAPI document.
 */
import type { Static, TSchema, TUnknown } from '@sinclair/typebox';
import type { Request, RequestHandler, Response } from 'express';
import type { ApiDeps } from '../deps';

/** JSON Schema object (kept loose: schemas come from many places). */
export type JsonSchema = Record<string, unknown>;

/** The permission a route needs; `public` routes need no credentials. */
export type Permission = string;

/** What a handler receives: validated input plus the request context. */
export interface RouteContext<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> {
  params: P;
  query: Q;
  body: B;
  deps: ApiDeps;
  req: Request;
  res: Response;
}

/** A handler's answer; `status` defaults to 200, a `body` of undefined sends no content. */
export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One API operation. The request schemas are TypeBox schemas (plain JSON Schema carrying their static type),
 * so the handler's `params`, `query` and `body` are typed from the very schemas that validate them. A bare
 * `RouteDefinition` is any route (its parts typed `unknown`), e.g. in the lists the app mounts.
 */
export interface RouteDefinition<
  P extends TSchema = TSchema,
  Q extends TSchema = TSchema,
  B extends TSchema = TSchema,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path relative to /api/v1, e.g. `/workflow-definitions/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  permission: Permission;
  params?: P;
  query?: Q;
  body?: B;
  /** Response schemas by status code, for the OpenAPI document and the contract test. */
  responses: Record<
    number,
    { description: string; schema?: JsonSchema; headers?: Record<string, { description: string; schema: JsonSchema }> }
  >;
  /**
   * Also served ahead of Express by the fast route (api/http/fast-route.ts) for plain JSON requests: only for
   * hot POST routes whose handler uses nothing but its validated input, deps and `res.locals`.
   */
  fast?: boolean;
  /** Route-specific middleware run after the permission check, before validation (e.g. a rate limiter). */
  middleware?: (deps: ApiDeps) => RequestHandler[];
  // Method syntax on purpose: a typed route is then assignable to the bare `RouteDefinition` of route lists.
  handler(ctx: RouteContext<Static<P>, Static<Q>, Static<B>>): Promise<RouteResult>;
}

/** Identity helper that infers the handler's input types from the route's `params`, `query` and `body` schemas. */
export function defineRoute<P extends TSchema = TUnknown, Q extends TSchema = TUnknown, B extends TSchema = TUnknown>(
  route: RouteDefinition<P, Q, B>,
): RouteDefinition<P, Q, B> {
  return route;
}
