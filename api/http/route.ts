/**
 * Routes are declared as data: method, path, permission and JSON Schemas. The same declaration
 * mounts the Express handler, validates the request and generates the OpenAPI document.
 */
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

/** One API operation. */
export interface RouteDefinition {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path relative to /api/v1, e.g. `/workflow-definitions/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  permission: Permission;
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  /** Response schemas by status code, for the OpenAPI document and the contract test. */
  responses: Record<number, { description: string; schema?: JsonSchema; headers?: Record<string, { description: string; schema: JsonSchema }> }>;
  /**
   * Also served ahead of Express by the fast route (api/http/fast-route.ts) for plain JSON requests: only for
   * hot POST routes whose handler uses nothing but its validated input, deps and `res.locals`.
   */
  fast?: boolean;
  /** Route-specific middleware run after the permission check, before validation (e.g. a rate limiter). */
  middleware?: (deps: ApiDeps) => RequestHandler[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler(ctx: RouteContext<any, any, any>): Promise<RouteResult>;
}

/** Identity helper that gives route literals their type. */
export function defineRoute(route: RouteDefinition): RouteDefinition {
  return route;
}
