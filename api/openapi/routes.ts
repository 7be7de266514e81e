/** `GET /openapi.json`: the generated document, built once per process from the mounted routes. */
import { defineRoute, type RouteDefinition } from '../http/route';
import { buildOpenApi } from './build';

/** The route serving the OpenAPI document of `routes()` (a thunk: the list includes this route itself). */
export function openApiRoutes(routes: () => RouteDefinition[]): RouteDefinition[] {
  let doc: Record<string, unknown> | undefined;
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      summary: "This API's OpenAPI 3.1 document",
      tags: ['meta'],
      permission: 'public',
      responses: {
        200: { description: 'The OpenAPI document', schema: { type: 'object', required: ['openapi', 'paths'] } },
      },
      handler: async () => {
        doc ??= buildOpenApi(routes());
        return { body: doc, headers: { 'Cache-Control': 'public, max-age=60' } };
      },
    }),
  ];
}
