/** REST for task definitions: create, validate (dry run), list, get, versions, update a draft, activate, deprecate. */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../common/errors';
import { taskDefinitions } from '../../db/repositories/task-definitions';
import {
  checkTaskDefinition, compareVersions, createTaskDefinition, getTaskDefinitionVersion, listTaskDefinitionVersions,
  setTaskDefinitionStatus, taskDefinitionView, updateTaskDraft,
} from '../../services/definitions';
import { checkIfMatch, etagOf } from '../http/etag';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { actorOf, definitionBody, etagHeader, idParams, problem, taskDefinitionItem as item, validationResult, versionList } from './engine-schemas';

const TAG = ['task-definitions'];
const READ = 'task_definitions:read';
const WRITE = 'task_definitions:write';
const body = definitionBody('task definition', 'docs/tasks.md');
const one = (row: Parameters<typeof taskDefinitionView>[0], status = 200) => ({ status, body: taskDefinitionView(row), headers: { ETag: etagOf(row) } });
const base = '/task-definitions/:taskId/versions/:version';

/** Routes under /task-definitions. */
export const taskDefinitionRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/task-definitions', operationId: 'listTaskDefinitions', summary: 'List task definition versions, newest first', tags: TAG, permission: READ,
    query: listQuery({ status: ['draft', 'active', 'deprecated'], definition: true }, { search: Type.String({ maxLength: 255 }) }),
    responses: { 200: { description: 'A page of versions', schema: pageSchema(item) } },
    handler: async ({ deps, query }) => {
      const page = await taskDefinitions.list(deps.db, { status: query.status, businessId: query.definition, search: query.search }, query);
      return { body: toPage({ ...page, items: page.items.map(taskDefinitionView) }) };
    },
  }),
  defineRoute({
    method: 'post', path: '/task-definitions', operationId: 'createTaskDefinition', summary: 'Create a task definition version (draft); 422 lists every error', tags: TAG, permission: WRITE,
    body, responses: { 201: { description: 'Created', schema: item, headers: etagHeader }, 409: problem, 422: problem },
    handler: async ({ deps, body: doc, res }) => one(await createTaskDefinition(deps.db, doc, actorOf(res)), 201),
  }),
  defineRoute({
    method: 'post', path: '/task-definitions/validate', operationId: 'validateTaskDefinition', summary: 'Validate a task definition without storing it', tags: TAG, permission: READ,
    body, responses: { 200: { description: 'Validation result', schema: validationResult } },
    handler: async ({ body: doc }) => {
      const errors = await checkTaskDefinition(doc);
      return { body: { valid: errors.length === 0, errors } };
    },
  }),
  defineRoute({
    method: 'get', path: '/task-definitions/:taskId', operationId: 'getTaskDefinition', summary: 'The highest active version (else the newest version)', tags: TAG, permission: READ,
    params: idParams('taskId'), responses: { 200: { description: 'The task definition', schema: item, headers: etagHeader }, 404: problem },
    handler: async ({ deps, params }) => {
      const rows = await listTaskDefinitionVersions(deps.db, params.taskId);
      const active = rows.filter((r) => r.status === 'active').sort((a, b) => compareVersions(b.version, a.version))[0];
      return one(active ?? rows[rows.length - 1]);
    },
  }),
  defineRoute({
    method: 'get', path: '/task-definitions/:taskId/versions', operationId: 'listTaskDefinitionVersions', summary: 'Every version, oldest first', tags: TAG, permission: READ,
    params: idParams('taskId'), responses: { 200: { description: 'Versions', schema: versionList(item) }, 404: problem },
    handler: async ({ deps, params }) => ({ body: { items: (await listTaskDefinitionVersions(deps.db, params.taskId)).map(taskDefinitionView) } }),
  }),
  defineRoute({
    method: 'post', path: '/task-definitions/:taskId/versions', operationId: 'createTaskDefinitionVersion', summary: 'Create a new version of an existing task definition', tags: TAG, permission: WRITE,
    params: idParams('taskId'), body, responses: { 201: { description: 'Created', schema: item, headers: etagHeader }, 404: problem, 409: problem, 422: problem },
    handler: async ({ deps, params, body: doc, res }) => {
      await listTaskDefinitionVersions(deps.db, params.taskId);
      if (doc.task_id !== undefined && doc.task_id !== params.taskId) {
        throw AppError.unprocessable('task_id of the body must match the URL', [{ pointer: '/body/task_id', message: `must be ${params.taskId}` }]);
      }
      return one(await createTaskDefinition(deps.db, { ...doc, task_id: params.taskId }, actorOf(res)), 201);
    },
  }),
  defineRoute({
    method: 'get', path: base, operationId: 'getTaskDefinitionVersion', summary: 'One version', tags: TAG, permission: READ,
    params: idParams('taskId', true), responses: { 200: { description: 'The version', schema: item, headers: etagHeader }, 404: problem },
    handler: async ({ deps, params }) => one(await getTaskDefinitionVersion(deps.db, params.taskId, params.version)),
  }),
  defineRoute({
    method: 'put', path: base, operationId: 'updateTaskDefinitionDraft', summary: 'Replace a draft (If-Match required); active versions are immutable', tags: TAG, permission: WRITE,
    params: idParams('taskId', true), body,
    responses: { 200: { description: 'Updated', schema: item, headers: etagHeader }, 404: problem, 409: problem, 412: problem, 422: problem, 428: problem },
    handler: async ({ deps, params, body: doc, req, res }) => {
      checkIfMatch(req, etagOf(await getTaskDefinitionVersion(deps.db, params.taskId, params.version)));
      return one(await updateTaskDraft(deps.db, params.taskId, params.version, doc, actorOf(res)));
    },
  }),
  ...(['activate', 'deprecate'] as const).map((verb) => defineRoute({
    method: 'post', path: `${base}/${verb}`, operationId: `${verb}TaskDefinitionVersion`,
    summary: verb === 'activate' ? 'Activate a version' : 'Deprecate a version: unpinned references stop resolving to it',
    tags: TAG, permission: WRITE, params: idParams('taskId', true),
    responses: { 200: { description: 'The version', schema: item, headers: etagHeader }, 404: problem, 409: problem, 412: problem },
    handler: async ({ deps, params, req, res }) => {
      checkIfMatch(req, etagOf(await getTaskDefinitionVersion(deps.db, params.taskId, params.version)), { required: false });
      return one(await setTaskDefinitionStatus(deps.db, params.taskId, params.version, verb === 'activate' ? 'active' : 'deprecated', actorOf(res)));
    },
  })),
];
