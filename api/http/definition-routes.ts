/**
 * Routes of a versioned definition addressed by row id (ui_components, integration_definitions, test_definitions):
 * list with filters, create, read (with ETag), update of drafts (If-Match required), status moves, delete.
 * A definition is immutable once active: content changes need a draft, status may still move. The rules are
 * services/definitions/records.ts; business-id/version addressed kinds use versioned-routes.ts.
 */
import { Type } from '@sinclair/typebox';
import { definitionRecords, type RecordKind } from '../../services/definitions/records';
import { principalOf } from '../auth/principal';
import { etagHeader, etagOf } from './etag';
import { listQuery, pageSchema } from './list-query';
import { toPage } from './pagination';
import { defineRoute, type JsonSchema, type RouteDefinition } from './route';
import { Typed } from './schema';
import { SCHEMA_KEYWORD_PROPERTY, withoutSchemaKeyword } from './schema-keyword';
import { ifMatch } from './versioned-routes';

const STATUSES = ['draft', 'active', 'deprecated'] as const;
const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** What differs between definition resources. */
export interface DefinitionResource extends RecordKind {
  path: string;
  tag: string;
  /** PascalCase name for operation ids, e.g. `UiComponent` -> listUiComponents, getUiComponent. */
  operation: string;
  read: string;
  write: string;
  /** Resource-specific body properties (besides business id, version, name, description, status). */
  fields: Record<string, JsonSchema>;
  required?: string[];
  /**
   * Request body properties instead of `fields`, for a kind whose `prepare` hook checks the body in full (every
   * error at once with its pointer): the bodies then only check top-level types and accept unknown properties,
   * which the hook reports.
   */
  bodyFields?: Record<string, JsonSchema>;
  /** Where the body's full rules are documented (the loose bodies' description). */
  bodyDescription?: string;
}

/** A document written for an editor may name its JSON Schema: accepted, never stored (schema-keyword.ts). */
const SCHEMA_KEYWORD = { $schema: SCHEMA_KEYWORD_PROPERTY };

/** Builds the routes of one definition resource. */
export function definitionRoutes(r: DefinitionResource): RouteDefinition[] {
  const base = {
    [r.businessId]: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,255}$' },
    version: { type: 'string', pattern: '^[A-Za-z0-9._+-]{1,50}$' },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: ['string', 'null'], maxLength: 10_000 },
  };
  const time = { type: 'string', format: 'date-time' };
  const item = {
    type: 'object',
    required: ['id', r.businessId, 'version', 'name', 'status', 'created_at', 'updated_at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      ...base,
      status: { enum: STATUSES },
      ...r.fields,
      created_by: { type: ['string', 'null'] },
      updated_by: { type: ['string', 'null'] },
      created_at: time,
      updated_at: time,
    },
  };
  const loose = r.bodyFields !== undefined;
  const createBody = Typed<Record<string, unknown>>({
    type: 'object',
    ...(r.bodyDescription && { description: r.bodyDescription }),
    additionalProperties: loose,
    ...(!loose && { required: [r.businessId, 'version', 'name', ...(r.required ?? [])] }),
    properties: loose
      ? { ...SCHEMA_KEYWORD, ...r.bodyFields }
      : { ...SCHEMA_KEYWORD, ...base, status: { enum: ['draft', 'active'] }, ...r.fields },
  });
  const { [r.businessId]: _b, version: _v, ...editable } = base;
  const patchBody = Typed<Record<string, unknown>>({
    type: 'object',
    additionalProperties: loose,
    minProperties: 1,
    properties: loose
      ? { ...SCHEMA_KEYWORD, ...r.bodyFields }
      : { ...SCHEMA_KEYWORD, ...editable, status: { enum: STATUSES }, ...r.fields },
  });
  const records = definitionRecords(r);

  return [
    defineRoute({
      method: 'get',
      path: r.path,
      operationId: `list${r.operation}s`,
      summary: `List ${r.noun}s`,
      tags: [r.tag],
      permission: r.read,
      query: listQuery(
        { status: STATUSES, definition: true },
        { q: Type.String({ maxLength: 255, description: 'Substring of the name' }) },
      ),
      responses: { 200: { description: `A page of ${r.noun}s`, schema: pageSchema(item) } },
      handler: async ({ deps, query }) => {
        const filter = {
          status: query.status,
          businessId: query.definition,
          createdAfter: query.created_after,
          createdBefore: query.created_before,
          nameContains: query.q,
        };
        return { body: toPage(await records.list(deps.db, filter, query)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: r.path,
      operationId: `create${r.operation}`,
      summary: `Create a ${r.noun} version`,
      tags: [r.tag],
      permission: r.write,
      body: createBody,
      responses: {
        201: { description: 'Created', schema: item, headers: etagHeader },
        409: { description: `This ${r.businessId} and version exist` },
      },
      handler: async ({ deps, body, res }) => {
        const row = await records.create(deps.db, withoutSchemaKeyword(body), principalOf(res).username);
        return { status: 201, body: row, headers: { ETag: etagOf(row), Location: `/api/v1${r.path}/${row.id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${r.path}/:id`,
      operationId: `get${r.operation}`,
      summary: `Read a ${r.noun}`,
      tags: [r.tag],
      permission: r.read,
      params: idParams,
      responses: {
        200: { description: `The ${r.noun}`, schema: item, headers: etagHeader },
        404: { description: 'Not found' },
      },
      handler: async ({ deps, params }) => {
        const row = await records.get(deps.db, params.id);
        return { body: row, headers: { ETag: etagOf(row) } };
      },
    }),
    defineRoute({
      method: 'patch',
      path: `${r.path}/:id`,
      operationId: `update${r.operation}`,
      summary: `Update a draft ${r.noun}, or move its status (requires If-Match)`,
      tags: [r.tag],
      permission: r.write,
      params: idParams,
      body: patchBody,
      responses: {
        200: { description: 'Updated', schema: item, headers: etagHeader },
        404: { description: 'Not found' },
        409: { description: 'Content of a non-draft version, or a disallowed status move' },
        412: { description: 'ETag mismatch' },
        428: { description: 'If-Match missing' },
      },
      handler: async ({ deps, params, body, req, res }) => {
        const row = await records.update(deps.db, params.id, withoutSchemaKeyword(body), {
          actor: principalOf(res).username,
          precondition: ifMatch(req),
        });
        return { body: row, headers: { ETag: etagOf(row) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${r.path}/:id`,
      operationId: `delete${r.operation}`,
      summary: `Delete a ${r.noun} version that is not active`,
      tags: [r.tag],
      permission: r.write,
      params: idParams,
      responses: {
        204: { description: 'Deleted' },
        404: { description: 'Not found' },
        409: { description: 'Active, or still referenced' },
      },
      handler: async ({ deps, params }) => {
        await records.remove(deps.db, params.id);
        return { status: 204 };
      },
    }),
  ];
}
