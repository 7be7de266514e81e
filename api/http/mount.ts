/** Mounts declared routes on an Express router: permission check, validation, handler, JSON answer. */
import type { IncomingMessage } from 'node:http';
import { Router, type RequestHandler } from 'express';
import { AppError } from '../../common/errors';
import type { ApiDeps } from '../deps';
import type { ContextResponse } from './request-context';
import type { RouteDefinition } from './route';
import { compileRoute, validateRequest } from './validate';

/** A middleware that needs only node's request and `res.locals`: Express mounts it, the fast route calls it. */
export type ContextHandler = (req: IncomingMessage, res: ContextResponse, next: (err?: unknown) => void) => void;

/** Checks that the caller holds `permission`; installed by the auth module (public routes skip it). */
export type Authorizer = (permission: string) => ContextHandler;

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Builds a router from route declarations. */
export function mountRoutes(routes: RouteDefinition[], deps: ApiDeps, authorize: Authorizer): Router {
  const router = Router();
  for (const route of routes) {
    const validators = compileRoute(route);
    const guard: RequestHandler[] = route.permission === 'public' ? [] : [authorize(route.permission)];
    const extra = route.middleware?.(deps) ?? [];
    router[route.method](route.path, ...guard, ...extra, async (req, res, next) => {
      try {
        // A body in another format would reach the schema as `undefined`; say what is wrong instead.
        if (route.body && !req.is(JSON_TYPES))
          throw new AppError(415, 'Unsupported Media Type', 'Send the body as application/json');
        // Express 5 exposes req.query as a getter; validate a copy so Ajv can coerce and default it.
        const query = { ...(req.query as Record<string, unknown>) };
        const input = { params: { ...req.params }, query, body: req.body };
        validateRequest(validators, input);
        const result = await route.handler({ ...input, deps, req, res });
        for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
        res.status(result.status ?? 200);
        if (result.body === undefined) res.end();
        else res.json(result.body);
      } catch (err) {
        next(err);
      }
    });
  }
  return router;
}
