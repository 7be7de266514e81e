/** Generates the OpenAPI 3.1 document from the route declarations: the same schemas that validate requests. */
import { AUTHENTICATED } from '../auth/permissions';
import type { JsonSchema, RouteDefinition } from '../http/route';
import { problemSchema, SchemaHoister, securitySchemes } from './schemas';

/** Document metadata. */
export interface OpenApiInfo {
  title?: string;
  version?: string;
  serverUrl?: string;
}

const PROBLEM = 'application/problem+json';
const problemRef = { $ref: '#/components/schemas/Problem' };

/** Express `/a/:id` -> OpenAPI `/a/{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(route: RouteDefinition, hoister: SchemaHoister): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema?.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s as JsonSchema & { description?: string };
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        schema: hoister.hoist(rest),
        ...(description && { description }),
      });
    }
  }
  return out;
}

function responses(route: RouteDefinition, hoister: SchemaHoister): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const isError = Number(status) >= 400;
    const schema = isError ? (r.schema ?? problemRef) : hoister.hoist(r.schema);
    out[status] = {
      description: r.description,
      ...(r.headers && { headers: r.headers }),
      ...(schema && { content: { [isError ? PROBLEM : 'application/json']: { schema } } }),
    };
  }
  const add = (status: number, description: string) => {
    out[String(status)] ??= { description, content: { [PROBLEM]: { schema: problemRef } } };
  };
  if (route.params || route.query) add(400, 'Invalid path or query parameters');
  if (route.body) {
    add(400, 'Malformed JSON');
    add(413, 'Body exceeds the size limit');
    add(415, 'Content-Type is not application/json');
    add(422, 'Body fails validation; `errors` lists each field by JSON pointer');
  }
  if (route.permission !== 'public') {
    add(401, 'Missing, invalid or expired credentials');
    if (route.permission !== AUTHENTICATED) add(403, `Lacks the permission ${route.permission}`);
  }
  add(500, 'Unexpected error');
  add(503, 'The database is temporarily unavailable; retry after `Retry-After` seconds');
  return out;
}

function operation(route: RouteDefinition, hoister: SchemaHoister): Record<string, unknown> {
  const secured = route.permission !== 'public';
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: route.tags,
    ...(secured ? { security: [{ bearerAuth: [] }, { apiKey: [] }] } : { security: [] }),
    'x-permission': route.permission,
    ...(secured &&
      route.permission !== AUTHENTICATED && { description: `Requires the permission \`${route.permission}\`.` }),
    parameters: parameters(route, hoister),
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: hoister.hoist(route.body) } } },
    }),
    responses: responses(route, hoister),
  };
}

/** Builds the OpenAPI 3.1 document of `routes` (paths under `/api/v1`). */
export function buildOpenApi(routes: RouteDefinition[], info: OpenApiInfo = {}): Record<string, unknown> {
  const hoister = new SchemaHoister();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operation(route, hoister);
  }
  const tags = [...new Set(routes.flatMap((r) => r.tags))].sort().map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: info.title ?? 'Augmented OS Orchestrator API',
      version: info.version ?? '1.0.0',
      description:
        'Durable workflows on Temporal. Errors are RFC 9457 problem+json; lists use keyset pagination (`limit`, `cursor`); definition updates need `If-Match`.',
    },
    servers: [{ url: info.serverUrl ?? '/api/v1' }],
    tags,
    paths,
    components: { schemas: { Problem: problemSchema, ...hoister.components }, securitySchemes },
  };
}
