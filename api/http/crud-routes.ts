/**
 * CRUD routes for a plain (unversioned) table, optionally nested under a parent row
 * (`/parents/:parent_id/children`): list, create, read, patch, delete.
 */
import { Type } from '@sinclair/typebox';
import { plainRecords } from '../../services/plain-records';
import { listQuery, pageSchema } from './list-query';
import { toPage } from './pagination';
import { defineRoute, type JsonSchema, type RouteDefinition } from './route';
import { Typed } from './schema';

/** What differs between plain resources. */
export interface CrudResource {
  path: string;
  table: string;
  tag: string;
  operation: string;
  noun: string;
  read: string;
  write: string;
  statuses: readonly string[];
  /** Fields settable at creation only. */
  createOnly: Record<string, JsonSchema>;
  required: string[];
  /** Fields settable at creation and by PATCH (status is always editable). */
  editable: Record<string, JsonSchema>;
  filters: Record<string, { column: string; schema: JsonSchema }>;
  /** Columns only ever answered (nullable ones the create body may omit, e.g. set by defaults). */
  columns?: Record<string, JsonSchema>;
  parent?: { param: string; column: string; table: string };
}

const uuid = Type.String({ format: 'uuid' });

/** Builds the routes of one plain resource. */
export function crudRoutes(r: CrudResource): RouteDefinition[] {
  const pp = r.parent?.param;
  const listParams = pp ? Type.Object({ [pp]: uuid }) : undefined;
  const idParams = Type.Object({ ...(pp && { [pp]: uuid }), id: uuid });
  const time = { type: 'string', format: 'date-time' };
  const fields = { ...r.editable, status: { enum: r.statuses } };
  const parentColumn = r.parent ? { [r.parent.column]: uuid } : {};
  const item = {
    type: 'object',
    required: ['id', 'status', 'created_at', 'updated_at'],
    properties: {
      id: uuid,
      ...parentColumn,
      ...r.createOnly,
      ...r.columns,
      ...fields,
      created_at: time,
      updated_at: time,
    },
  };
  const records = plainRecords(r);
  const parentOf = (params: Record<string, string>) => (pp ? params[pp] : undefined);
  const parent404: RouteDefinition['responses'] = pp ? { 404: { description: 'Parent not found' } } : {};

  return [
    defineRoute({
      method: 'get',
      path: r.path,
      operationId: `list${r.operation}s`,
      summary: `List ${r.noun}s`,
      tags: [r.tag],
      permission: r.read,
      params: listParams,
      query: listQuery(
        { status: r.statuses },
        Object.fromEntries(Object.entries(r.filters).map(([k, f]) => [k, Typed<unknown>(f.schema)])),
      ),
      responses: { 200: { description: `A page of ${r.noun}s`, schema: pageSchema(item) }, ...parent404 },
      handler: async ({ deps, params, query }) => {
        const equals = {
          status: query.status,
          ...Object.fromEntries(Object.entries(r.filters).map(([name, f]) => [f.column, query[name]])),
        };
        return {
          body: toPage(
            await records.list(
              deps.db,
              parentOf(params),
              { equals, createdAfter: query.created_after, createdBefore: query.created_before },
              query,
            ),
          ),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: r.path,
      operationId: `create${r.operation}`,
      summary: `Create a ${r.noun}`,
      tags: [r.tag],
      permission: r.write,
      params: listParams,
      body: Typed<Record<string, unknown>>({
        type: 'object',
        additionalProperties: false,
        required: r.required,
        properties: { ...r.createOnly, ...fields },
      }),
      responses: {
        201: { description: 'Created', schema: item },
        409: { description: 'Duplicate, or a referenced row is missing' },
        ...parent404,
      },
      handler: async ({ deps, params, body }) => {
        const row = await records.create(deps.db, parentOf(params), body);
        return {
          status: 201,
          body: row,
          headers: { Location: `/api/v1${r.path.replace(`:${pp}`, String(params[pp ?? '']))}/${row.id}` },
        };
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
      responses: { 200: { description: `The ${r.noun}`, schema: item }, 404: { description: 'Not found' } },
      handler: async ({ deps, params }) => {
        return { body: await records.get(deps.db, parentOf(params), params.id) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: `${r.path}/:id`,
      operationId: `update${r.operation}`,
      summary: `Update a ${r.noun}`,
      tags: [r.tag],
      permission: r.write,
      params: idParams,
      body: Typed<Record<string, unknown>>({
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: fields,
      }),
      responses: { 200: { description: 'Updated', schema: item }, 404: { description: 'Not found' } },
      handler: async ({ deps, params, body }) => {
        return { body: await records.update(deps.db, parentOf(params), params.id, body) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${r.path}/:id`,
      operationId: `delete${r.operation}`,
      summary: `Delete a ${r.noun}`,
      tags: [r.tag],
      permission: r.write,
      params: idParams,
      responses: { 204: { description: 'Deleted' }, 404: { description: 'Not found' } },
      handler: async ({ deps, params }) => {
        await records.remove(deps.db, parentOf(params), params.id);
        return { status: 204 };
      },
    }),
  ];
}
