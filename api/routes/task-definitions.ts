/** REST for task definitions: create, validate (dry run), list, get, versions, update a draft, activate, deprecate. */
import {
  checkTaskDefinition, createTaskDefinition, setTaskDefinitionStatus, taskDefinitionView, taskVersions, updateTaskDraft,
} from '../../services/definitions';
import { listQuery } from '../http/list-query';
import type { RouteDefinition } from '../http/route';
import { documentWriteRoutes, versionedReadRoutes, type DocumentWrites } from '../http/versioned-routes';
import { definitionBody, idParams, taskDefinitionItem } from './engine-schemas';

const kind: DocumentWrites<Parameters<typeof taskDefinitionView>[0]> = {
  path: '/task-definitions', param: 'taskId', businessId: 'task_id', tag: 'task-definitions',
  operation: 'TaskDefinition', read: 'task_definitions:read', write: 'task_definitions:write',
  item: taskDefinitionItem, params: { id: idParams('taskId'), version: idParams('taskId', true) },
  lifecycle: taskVersions, view: taskDefinitionView,
  list: {
    summary: 'List task definition versions, newest first', description: 'A page of versions',
    query: listQuery({ status: ['draft', 'active', 'deprecated'], definition: true }, { search: { type: 'string', maxLength: 255 } }),
    filter: (q) => ({ status: q.status as never, businessId: q.definition, search: q.search }),
  },
  summaries: { current: 'The highest active version (else the newest version)', versions: 'Every version, oldest first' },
  descriptions: { current: 'The task definition' },
  body: definitionBody('task definition', 'docs/tasks.md'),
  check: (_db, doc) => checkTaskDefinition(doc),
  create: createTaskDefinition,
  replace: updateTaskDraft,
  moves: {
    activate: { summary: 'Activate a version', run: (db, id, version, opts) => setTaskDefinitionStatus(db, id, version, 'active', opts) },
    deprecate: {
      summary: 'Deprecate a version: unpinned references stop resolving to it',
      run: (db, id, version, opts) => setTaskDefinitionStatus(db, id, version, 'deprecated', opts),
    },
  },
  writeSummaries: {
    create: 'Create a task definition version (draft); 422 lists every error',
    validate: 'Validate a task definition without storing it',
    createVersion: 'Create a new version of an existing task definition',
  },
};

/** Routes under /task-definitions. */
export const taskDefinitionRoutes: RouteDefinition[] = [...versionedReadRoutes(kind), ...documentWriteRoutes(kind)];
