/**
 * web_application_service.ui_components: UI components, the versioned forms of human tasks (#12). Addressed by
 * component_id and version like task and workflow definitions: create (draft), validate, new version, replace a
 * draft, activate, deprecate, delete a version that is not active; reads of the current version, every version
 * and one version. Every write is checked in full (services/forms/checks.ts): 422 lists every error by pointer.
 */
import { Type } from '@sinclair/typebox';
import {
  COMPONENT_ID_PATTERN,
  COMPONENT_TYPES,
  COMPONENT_VERSION_PATTERN,
  FormActionSchema,
  FormLayoutSchema,
  UiComponentSchema,
} from '../../common/forms/schema';
import {
  checkUiComponent,
  createUiComponent,
  deleteUiComponent,
  setUiComponentStatus,
  uiComponentVersions,
  uiComponentView,
  updateUiComponentDraft,
  type UiComponentRow,
} from '../../services/definitions';
import { listQuery } from '../http/list-query';
import { defineRoute, type JsonSchema, type RouteDefinition } from '../http/route';
import { Typed } from '../http/schema';
import { acceptSchemaKeyword } from '../http/schema-keyword';
import {
  documentWriteRoutes,
  ifMatch,
  problem,
  versionedReadRoutes,
  type DocumentWrites,
} from '../http/versioned-routes';

const STATUSES = ['draft', 'active', 'deprecated'] as const;
const componentId = Type.String({ pattern: COMPONENT_ID_PATTERN });
const idParams = Type.Object({ componentId });
const versionParams = Type.Object({ componentId, version: Type.String({ pattern: COMPONENT_VERSION_PATTERN }) });
const nullableString = { type: ['string', 'null'] };
const time = { type: 'string', format: 'date-time' };

/** A UI component version as answered (the document plus lifecycle fields). */
const item: JsonSchema = {
  type: 'object',
  required: ['id', 'component_id', 'version', 'name', 'component_type', 'status', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    component_id: { type: 'string' },
    version: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    component_type: { enum: COMPONENT_TYPES },
    form_schema: { type: ['object', 'boolean'] },
    ui_schema: { type: 'object' },
    layout: FormLayoutSchema,
    actions: { type: 'array', items: FormActionSchema },
    status: { enum: STATUSES },
    created_by: nullableString,
    updated_by: nullableString,
    created_at: time,
    updated_at: time,
  },
};

const listing = listQuery(
  { status: STATUSES, definition: true },
  {
    search: Type.String({ maxLength: 255, description: 'Substring of the name' }),
    q: Type.String({ maxLength: 255, description: 'Same as `search` (kept for older clients)' }),
  },
);

const kind: DocumentWrites<UiComponentRow, typeof listing> = {
  path: '/ui-components',
  param: 'componentId',
  businessId: 'component_id',
  tag: 'ui-components',
  operation: 'UiComponent',
  read: 'ui_components:read',
  write: 'ui_components:write',
  params: { id: idParams, version: versionParams },
  item,
  lifecycle: uiComponentVersions,
  view: uiComponentView,
  list: {
    summary: 'List UI component versions, newest first',
    description: 'A page of versions',
    query: listing,
    filter: (q) => ({
      status: q.status,
      businessId: q.definition,
      search: q.search ?? q.q,
      createdAfter: q.created_after,
      createdBefore: q.created_before,
    }),
  },
  summaries: {
    current: 'The current version: the highest active one (else the newest version)',
    versions: 'Every version, oldest first',
  },
  descriptions: { current: 'The UI component' },
  body: Typed<Record<string, unknown>>(acceptSchemaKeyword(UiComponentSchema)),
  check: (_db, doc) => checkUiComponent(doc),
  create: createUiComponent,
  replace: updateUiComponentDraft,
  moves: {
    activate: {
      summary: 'Activate a version: it becomes immutable, and the current version when it is the highest',
      run: (db, id, version, opts) => setUiComponentStatus(db, id, version, 'active', opts),
    },
    deprecate: {
      summary: 'Deprecate a version: unpinned references stop resolving to it',
      run: (db, id, version, opts) => setUiComponentStatus(db, id, version, 'deprecated', opts),
    },
  },
  writeSummaries: {
    create: 'Create a UI component version (draft); 422 lists every error',
    validate: 'Validate a UI component without storing it',
    createVersion: 'Create a new version of an existing UI component',
  },
};

/** Routes under /ui-components. */
export const uiComponentRoutes: RouteDefinition[] = [
  ...versionedReadRoutes(kind),
  ...documentWriteRoutes(kind),
  defineRoute({
    method: 'delete',
    path: '/ui-components/:componentId/versions/:version',
    operationId: 'deleteUiComponentVersion',
    summary: 'Delete a version that is not active and is no task definition form',
    tags: ['ui-components'],
    permission: 'ui_components:write',
    params: versionParams,
    responses: { 204: { description: 'Deleted' }, 404: problem, 409: problem, 412: problem },
    handler: async ({ deps, params, req }) => {
      await deleteUiComponent(deps.db, params.componentId, params.version, ifMatch(req, false));
      return { status: 204 };
    },
  }),
];
