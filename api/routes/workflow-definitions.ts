/** REST for workflow definitions: create, validate (dry run), list, get, versions, update a draft, activate, deprecate. */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../common/errors';
import { workflowDefinitions } from '../../db/repositories/workflow-definitions';
import {
  activateWorkflowDefinition, checkWorkflowDefinition, compareVersions, createWorkflowDefinition, deprecateWorkflowDefinition,
  getWorkflowDefinitionVersion, listWorkflowDefinitionVersions, updateWorkflowDraft, workflowDefinitionView,
} from '../../services/definitions';
import { checkIfMatch, etagOf } from '../http/etag';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { actorOf, definitionBody, etagHeader, idParams, problem, validationResult, versionList, workflowDefinitionItem as item } from './engine-schemas';

const TAG = ['workflow-definitions'];
const READ = 'workflow_definitions:read';
const WRITE = 'workflow_definitions:write';
const body = definitionBody('workflow definition', 'docs/definition-language.md');
const one = (row: Parameters<typeof workflowDefinitionView>[0], status = 200) => ({ status, body: workflowDefinitionView(row), headers: { ETag: etagOf(row) } });
const base = '/workflow-definitions/:workflowId/versions/:version';

/** Routes under /workflow-definitions. */
export const workflowDefinitionRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/workflow-definitions', operationId: 'listWorkflowDefinitions', summary: 'List workflow definition versions, newest first', tags: TAG, permission: READ,
    query: listQuery({ status: ['draft', 'active', 'deprecated'], definition: true }, { search: Type.String({ maxLength: 255 }) }),
    responses: { 200: { description: 'A page of versions', schema: pageSchema(item) } },
    handler: async ({ deps, query }) => {
      const page = await workflowDefinitions.list(deps.db, { status: query.status, businessId: query.definition, search: query.search }, query);
      return { body: toPage({ ...page, items: page.items.map(workflowDefinitionView) }) };
    },
  }),
  defineRoute({
    method: 'post', path: '/workflow-definitions', operationId: 'createWorkflowDefinition', summary: 'Create a definition version (draft); 422 lists every error', tags: TAG, permission: WRITE,
    body, responses: { 201: { description: 'Created', schema: item, headers: etagHeader }, 409: problem, 422: problem },
    handler: async ({ deps, body: doc, res }) => one(await createWorkflowDefinition(deps.db, doc, actorOf(res)), 201),
  }),
  defineRoute({
    method: 'post', path: '/workflow-definitions/validate', operationId: 'validateWorkflowDefinition', summary: 'Validate a definition without storing it', tags: TAG, permission: READ,
    body, responses: { 200: { description: 'Validation result', schema: validationResult } },
    handler: async ({ deps, body: doc }) => {
      const errors = await checkWorkflowDefinition(deps.db, doc);
      return { body: { valid: errors.length === 0, errors } };
    },
  }),
  defineRoute({
    method: 'get', path: '/workflow-definitions/:workflowId', operationId: 'getWorkflowDefinition', summary: 'The highest active version (else the newest version)', tags: TAG, permission: READ,
    params: idParams('workflowId'), responses: { 200: { description: 'The definition', schema: item, headers: etagHeader }, 404: problem },
    handler: async ({ deps, params }) => {
      const rows = await listWorkflowDefinitionVersions(deps.db, params.workflowId);
      const active = rows.filter((r) => r.status === 'active').sort((a, b) => compareVersions(b.version, a.version))[0];
      return one(active ?? rows[rows.length - 1]);
    },
  }),
  defineRoute({
    method: 'get', path: '/workflow-definitions/:workflowId/versions', operationId: 'listWorkflowDefinitionVersions', summary: 'Every version, oldest first', tags: TAG, permission: READ,
    params: idParams('workflowId'), responses: { 200: { description: 'Versions', schema: versionList(item) }, 404: problem },
    handler: async ({ deps, params }) => ({ body: { items: (await listWorkflowDefinitionVersions(deps.db, params.workflowId)).map(workflowDefinitionView) } }),
  }),
  defineRoute({
    method: 'post', path: '/workflow-definitions/:workflowId/versions', operationId: 'createWorkflowDefinitionVersion', summary: 'Create a new version of an existing definition', tags: TAG, permission: WRITE,
    params: idParams('workflowId'), body, responses: { 201: { description: 'Created', schema: item, headers: etagHeader }, 404: problem, 409: problem, 422: problem },
    handler: async ({ deps, params, body: doc, res }) => {
      await listWorkflowDefinitionVersions(deps.db, params.workflowId); // 404 when the definition does not exist
      if (doc.workflow_id !== undefined && doc.workflow_id !== params.workflowId) {
        throw AppError.unprocessable('workflow_id of the body must match the URL', [{ pointer: '/body/workflow_id', message: `must be ${params.workflowId}` }]);
      }
      return one(await createWorkflowDefinition(deps.db, { ...doc, workflow_id: params.workflowId }, actorOf(res)), 201);
    },
  }),
  defineRoute({
    method: 'get', path: base, operationId: 'getWorkflowDefinitionVersion', summary: 'One version', tags: TAG, permission: READ,
    params: idParams('workflowId', true), responses: { 200: { description: 'The version', schema: item, headers: etagHeader }, 404: problem },
    handler: async ({ deps, params }) => one(await getWorkflowDefinitionVersion(deps.db, params.workflowId, params.version)),
  }),
  defineRoute({
    method: 'put', path: base, operationId: 'updateWorkflowDefinitionDraft', summary: 'Replace a draft (If-Match required); active versions are immutable', tags: TAG, permission: WRITE,
    params: idParams('workflowId', true), body,
    responses: { 200: { description: 'Updated', schema: item, headers: etagHeader }, 404: problem, 409: problem, 412: problem, 422: problem, 428: problem },
    handler: async ({ deps, params, body: doc, req, res }) => {
      checkIfMatch(req, etagOf(await getWorkflowDefinitionVersion(deps.db, params.workflowId, params.version)));
      return one(await updateWorkflowDraft(deps.db, params.workflowId, params.version, doc, actorOf(res)));
    },
  }),
  ...(['activate', 'deprecate'] as const).map((verb) => defineRoute({
    method: 'post', path: `${base}/${verb}`, operationId: `${verb}WorkflowDefinitionVersion`,
    summary: verb === 'activate' ? 'Activate a version (its tasks must resolve); nothing else is deprecated' : 'Deprecate a version: unpinned starts stop choosing it',
    tags: TAG, permission: WRITE, params: idParams('workflowId', true),
    responses: { 200: { description: 'The version', schema: item, headers: etagHeader }, 404: problem, 409: problem, 412: problem, 422: problem },
    handler: async ({ deps, params, req, res }) => {
      // If-Match is honoured when sent (status moves are already guarded by the current status).
      checkIfMatch(req, etagOf(await getWorkflowDefinitionVersion(deps.db, params.workflowId, params.version)), { required: false });
      const move = verb === 'activate' ? activateWorkflowDefinition : deprecateWorkflowDefinition;
      return one(await move(deps.db, params.workflowId, params.version, actorOf(res)));
    },
  })),
];
