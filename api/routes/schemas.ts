/**
 * `GET /api/v1/schemas/{kind}.json`: the JSON Schema of each definition kind's document, for editors and the CLI
 * (docs/testing.md, "JSON Schemas for editors"). Public: the schemas describe the API's public document formats,
 * and an editor fetching a file's `$schema` sends no credentials. Each schema's `$id` is its URL path, and it
 * allows the top-level `$schema` that editor files carry (the write routes accept and drop it).
 */
import { createHash } from 'node:crypto';
import { taskDefinitionSchema, workflowDefinitionSchema } from '../../common/definitions/schema';
import { testDefinitionSchema } from '../../common/definitions/test-definition-schema';
import { eventDefinitionSchema, triggerCreateSchema } from '../../common/events/schema';
import { UiComponentSchema } from '../../common/forms/schema';
import { defineRoute, type RouteDefinition } from '../http/route';
import { SCHEMA_KEYWORD_PROPERTY } from '../http/schema-keyword';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/** Each served kind: its document schema and what it is the body of. */
const KINDS = {
  'workflow-definition': {
    schema: workflowDefinitionSchema,
    title: 'WorkflowDefinition',
    body: 'POST /workflow-definitions',
  },
  'task-definition': { schema: taskDefinitionSchema, title: 'TaskDefinition', body: 'POST /task-definitions' },
  'event-definition': { schema: eventDefinitionSchema, title: 'EventDefinition', body: 'POST /event-definitions' },
  'test-definition': { schema: testDefinitionSchema, title: 'TestDefinition', body: 'POST /test-definitions' },
  'ui-component': { schema: UiComponentSchema, title: 'UiComponent', body: 'POST /ui-components' },
  trigger: { schema: triggerCreateSchema, title: 'Trigger', body: 'POST /triggers' },
} as const;

/** A served kind, e.g. `workflow-definition`. */
export type SchemaKind = keyof typeof KINDS;

/** The URL path of a kind's schema. */
export const schemaPath = (kind: SchemaKind): string => `/api/v1/schemas/${kind}.json`;

/** The document served for `kind` (plain JSON: TypeBox's symbols dropped). */
export function servedSchema(kind: SchemaKind): Record<string, unknown> {
  const { schema, title, body } = KINDS[kind];
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  const { $id: _id, $schema: _draft, properties, ...rest } = plain;
  return {
    $schema: DRAFT,
    $id: schemaPath(kind),
    title,
    description: `A ${title} document, the body of ${body} (a file for aos apply).`,
    ...rest,
    properties: { $schema: SCHEMA_KEYWORD_PROPERTY, ...(properties as object) },
  };
}

function schemaRoute(kind: SchemaKind): RouteDefinition {
  const document = servedSchema(kind);
  const text = JSON.stringify(document);
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  const operation = kind.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
  return defineRoute({
    method: 'get',
    path: `/schemas/${kind}.json`,
    operationId: `get${operation}Schema`,
    summary: `JSON Schema of a ${KINDS[kind].title} document (public, for editors)`,
    tags: ['meta'],
    permission: 'public',
    responses: {
      200: { description: 'The JSON Schema (draft 2020-12)', schema: { type: 'object', required: ['$id'] } },
      304: { description: 'Not modified (If-None-Match)' },
    },
    handler: async ({ req }) => {
      const headers = { ETag: etag, 'Cache-Control': 'public, max-age=300' };
      const match = req.headers['if-none-match'];
      if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return { status: 304, headers };
      return { body: document, headers };
    },
  });
}

/** The schema routes, one per kind. */
export const schemaRoutes: RouteDefinition[] = (Object.keys(KINDS) as SchemaKind[]).map(schemaRoute);
