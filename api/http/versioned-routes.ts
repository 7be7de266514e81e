/**
 * Routes of a versioned definition kind addressed by business id and version (workflow, task and event
 * definitions), built from one declaration: the reads every kind has (`versionedReadRoutes`) and the
 * whole-document writes of workflow and task definitions (`documentWriteRoutes`). The lifecycle itself is
 * services/definitions/versioned.ts; routes only map HTTP onto it (ETag on answers, If-Match as a precondition).
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { Response } from 'express';
import type { ValidationError } from '../../common/definitions/validate';
import { AppError } from '../../common/errors';
import type { DefinitionFilter, DefinitionRowBase, DefinitionStatus } from '../../db/repositories/definitions';
import type { PageRequest } from '../../db/repositories/keyset';
import type { Versioned, Precondition } from '../../services/definitions';
import { principalOf } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { checkIfMatch, etagHeader, etagOf } from './etag';
import { listQuery, pageSchema } from './list-query';
import { toPage } from './pagination';
import { defineRoute, type JsonSchema, type RouteDefinition } from './route';
import { withoutSchemaKeyword } from './schema-keyword';

const STATUSES = ['draft', 'active', 'deprecated'] as const;

/** Problem answers as the OpenAPI document lists them. */
export const problem = { description: 'Problem (application/problem+json)' };

/** The list of versions. */
export const versionList = (item: JsonSchema): JsonSchema => ({
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: item } },
});

/** The caller's username for created_by / updated_by (undefined on unauthenticated test apps). */
export function actorOf(res: Response): { actor?: string } {
  return res.locals.principal ? { actor: principalOf(res).username } : {};
}

/** If-Match against the current row: required (428 without it) unless `required` is false. */
export function ifMatch<Row extends { id: string; updated_at: Date | string }>(
  req: Parameters<typeof checkIfMatch>[0],
  required = true,
): Precondition<Row> {
  return (current) => checkIfMatch(req, etagOf(current), { required });
}

/** Path parameters: the business id (named by `param`), and `version` on version routes. */
export type AddressParams = TSchema & { static: Record<string, string> };

/** A list query: pagination plus the kind's filters. */
export type VersionListQuery = TSchema & { static: PageRequest };

/** What the read routes of one kind need. */
export interface VersionedReads<Row extends DefinitionRowBase, Q extends VersionListQuery = VersionListQuery> {
  /** Collection path, e.g. `/workflow-definitions`. */
  path: string;
  /** Path parameter of the business id, e.g. `workflowId`. */
  param: string;
  tag: string;
  /** PascalCase name for operation ids, e.g. `WorkflowDefinition`. */
  operation: string;
  read: string;
  write: string;
  /** The answered item schema. */
  item: JsonSchema;
  /** Schemas of `/:param` and `/:param/versions/:version`. */
  params: { id: AddressParams; version: AddressParams };
  lifecycle: Pick<Versioned<Row, unknown>, 'list' | 'getVersion' | 'listVersions' | 'getCurrent'>;
  /** The API form of a row. */
  view(row: Row): unknown;
  list: {
    summary: string;
    description: string;
    query: Q;
    filter(query: Static<Q>): DefinitionFilter;
  };
  /** Defaults: `The highest active version (else the newest version)`, `Every version, oldest first`. */
  summaries?: { current: string; versions: string };
  /** Response descriptions of the single-row reads. */
  descriptions?: { current?: string };
}

/** The list of workflow and task definitions: status, `definition` (business id) and `search` (name) filters. */
export function documentListing(summary: string) {
  return {
    summary,
    description: 'A page of versions',
    query: listQuery({ status: STATUSES, definition: true }, { search: Type.String({ maxLength: 255 }) }),
    filter: (q) => ({ status: q.status as DefinitionStatus | undefined, businessId: q.definition, search: q.search }),
  } satisfies VersionedReads<DefinitionRowBase, DocumentListQuery>['list'];
}

/** The query of {@link documentListing}. */
type DocumentListQuery = TUnsafe<PageRequest & { status?: DefinitionStatus; definition?: string; search?: string }>;

/** Answer with one row: its view and its ETag. */
export function answer<Row extends DefinitionRowBase>(view: (row: Row) => unknown, row: Row, status = 200) {
  return { status, body: view(row), headers: { ETag: etagOf(row) } };
}

/** GET list, GET `/:id` (current version), GET `/:id/versions`, GET `/:id/versions/:version`. */
export function versionedReadRoutes<Row extends DefinitionRowBase, Q extends VersionListQuery>(
  k: VersionedReads<Row, Q>,
): RouteDefinition[] {
  const { item, lifecycle, param } = k;
  const one = (row: Row) => answer(k.view, row);
  const tags = [k.tag];
  const summaries = k.summaries ?? {
    current: 'The highest active version (else the newest version)',
    versions: 'Every version, oldest first',
  };
  return [
    defineRoute({
      method: 'get',
      path: k.path,
      operationId: `list${k.operation}s`,
      summary: k.list.summary,
      tags,
      permission: k.read,
      query: k.list.query,
      responses: { 200: { description: k.list.description, schema: pageSchema(item) } },
      handler: async ({ deps, query }) => {
        const page = await lifecycle.list(deps.db, k.list.filter(query), query);
        return { body: toPage({ ...page, items: page.items.map(k.view) }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${k.path}/:${param}`,
      operationId: `get${k.operation}`,
      summary: summaries.current,
      tags,
      permission: k.read,
      params: k.params.id,
      responses: {
        200: { description: k.descriptions?.current ?? 'The definition', schema: item, headers: etagHeader },
        404: problem,
      },
      handler: async ({ deps, params }) => one(await lifecycle.getCurrent(deps.db, params[param])),
    }),
    defineRoute({
      method: 'get',
      path: `${k.path}/:${param}/versions`,
      operationId: `list${k.operation}Versions`,
      summary: summaries.versions,
      tags,
      permission: k.read,
      params: k.params.id,
      responses: { 200: { description: 'Versions', schema: versionList(item) }, 404: problem },
      handler: async ({ deps, params }) => {
        const rows = await lifecycle.listVersions(deps.db, params[param]);
        return { body: { items: rows.map(k.view) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${k.path}/:${param}/versions/:version`,
      operationId: `get${k.operation}Version`,
      summary: 'One version',
      tags,
      permission: k.read,
      params: k.params.version,
      responses: { 200: { description: 'The version', schema: item, headers: etagHeader }, 404: problem },
      handler: async ({ deps, params }) => one(await lifecycle.getVersion(deps.db, params[param], params.version)),
    }),
  ];
}

type Actor = { actor?: string };
type WriteOptions<Row> = Actor & { precondition?: Precondition<Row> };
/** A status move; `deps` for moves that need more than the database (the workflow activation gate). */
type Move<Row> = (
  db: ApiDeps['db'],
  id: string,
  version: string,
  opts: WriteOptions<Row>,
  deps: ApiDeps,
) => Promise<Row>;

/** What the whole-document writes need (workflow and task definitions). */
export interface DocumentWrites<
  Row extends DefinitionRowBase,
  Q extends VersionListQuery = VersionListQuery,
> extends VersionedReads<Row, Q> {
  /** Business id field of the document, e.g. `workflow_id`. */
  businessId: string;
  body: TUnsafe<Record<string, unknown>>;
  check(db: ApiDeps['db'], doc: unknown): Promise<ValidationError[]>;
  create(db: ApiDeps['db'], doc: unknown, actor: Actor): Promise<Row>;
  replace(db: ApiDeps['db'], id: string, version: string, doc: unknown, opts: WriteOptions<Row>): Promise<Row>;
  moves: Record<'activate' | 'deprecate', { summary: string; run: Move<Row> }>;
  /** Whether activate answers 422 (a workflow's tasks must resolve). */
  activateMay422?: boolean;
  /** Further or more precise answers of activate (the workflow activation gate's 409 and 503). */
  activateResponses?: Record<number, { description: string }>;
  writeSummaries: { create: string; validate: string; createVersion: string };
}

/** POST create, POST validate, POST `/:id/versions`, PUT a draft, POST activate / deprecate. */
export function documentWriteRoutes<Row extends DefinitionRowBase, Q extends VersionListQuery>(
  k: DocumentWrites<Row, Q>,
): RouteDefinition[] {
  const { item, body, param } = k;
  const one = (row: Row, status = 200) => answer(k.view, row, status);
  const tags = [k.tag];
  const base = `${k.path}/:${param}/versions/:version`;
  const created = { 201: { description: 'Created', schema: item, headers: etagHeader } };
  const moved = {
    200: { description: 'The version', schema: item, headers: etagHeader },
    404: problem,
    409: problem,
    412: problem,
  };
  return [
    defineRoute({
      method: 'post',
      path: k.path,
      operationId: `create${k.operation}`,
      summary: k.writeSummaries.create,
      tags,
      permission: k.write,
      body,
      responses: { ...created, 409: problem, 422: problem },
      handler: async ({ deps, body, res }) =>
        one(await k.create(deps.db, withoutSchemaKeyword(body), actorOf(res)), 201),
    }),
    defineRoute({
      method: 'post',
      path: `${k.path}/validate`,
      operationId: `validate${k.operation}`,
      summary: k.writeSummaries.validate,
      tags,
      permission: k.read,
      body,
      responses: { 200: { description: 'Validation result', schema: validationResult } },
      handler: async ({ deps, body }) => {
        const errors = await k.check(deps.db, withoutSchemaKeyword(body));
        return { body: { valid: errors.length === 0, errors } };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${k.path}/:${param}/versions`,
      operationId: `create${k.operation}Version`,
      summary: k.writeSummaries.createVersion,
      tags,
      permission: k.write,
      params: k.params.id,
      body,
      responses: { ...created, 404: problem, 409: problem, 422: problem },
      handler: async ({ deps, params, body, res }) => {
        const doc = withoutSchemaKeyword(body);
        const id = params[param];
        await k.lifecycle.listVersions(deps.db, id); // 404 when the definition does not exist
        if (doc[k.businessId] !== undefined && doc[k.businessId] !== id) {
          const field = { pointer: `/body/${k.businessId}`, message: `must be ${id}` };
          throw AppError.unprocessable(`${k.businessId} of the body must match the URL`, [field]);
        }
        return one(await k.create(deps.db, { ...doc, [k.businessId]: id }, actorOf(res)), 201);
      },
    }),
    defineRoute({
      method: 'put',
      path: base,
      operationId: `update${k.operation}Draft`,
      summary: 'Replace a draft (If-Match required); active versions are immutable',
      tags,
      permission: k.write,
      params: k.params.version,
      body,
      responses: {
        200: { description: 'Updated', schema: item, headers: etagHeader },
        404: problem,
        409: problem,
        412: problem,
        422: problem,
        428: problem,
      },
      handler: async ({ deps, params, body: doc, req, res }) => {
        const opts = { ...actorOf(res), precondition: ifMatch<Row>(req) };
        return one(await k.replace(deps.db, params[param], params.version, withoutSchemaKeyword(doc), opts));
      },
    }),
    ...(['activate', 'deprecate'] as const).map((verb) =>
      defineRoute({
        method: 'post',
        path: `${base}/${verb}`,
        operationId: `${verb}${k.operation}Version`,
        summary: k.moves[verb].summary,
        tags,
        permission: k.write,
        params: k.params.version,
        responses:
          verb === 'activate' ? { ...moved, ...(k.activateMay422 && { 422: problem }), ...k.activateResponses } : moved,
        // If-Match is honoured when sent (status moves are already guarded by the current status).
        handler: async ({ deps, params, req, res }) => {
          const opts = { ...actorOf(res), precondition: ifMatch<Row>(req, false) };
          return one(await k.moves[verb].run(deps.db, params[param], params.version, opts, deps));
        },
      }),
    ),
  ];
}

/** The dry-run answer. */
export const validationResult: JsonSchema = {
  type: 'object',
  required: ['valid', 'errors'],
  properties: {
    valid: { type: 'boolean' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'message'],
        properties: { pointer: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
      },
    },
  },
};
