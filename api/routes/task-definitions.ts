/** REST for task definitions: create, validate (dry run), list, get, versions, update a draft, activate, deprecate. */
import {
  checkTaskDefinition,
  createTaskDefinition,
  setTaskDefinitionStatus,
  taskDefinitionView,
  taskVersions,
  updateTaskDraft,
} from '../../services/definitions';
import type { RouteDefinition } from '../http/route';
import {
  documentListing,
  documentWriteRoutes,
  versionedReadRoutes,
  type DocumentWrites,
} from '../http/versioned-routes';
import { definitionAddress, definitionBody, taskDefinitionItem } from './engine-schemas';

const kind: DocumentWrites<Parameters<typeof taskDefinitionView>[0]> = {
  ...definitionAddress('task'),
  item: taskDefinitionItem,
  lifecycle: taskVersions,
  view: taskDefinitionView,
  list: documentListing('List task definition versions, newest first'),
  descriptions: { current: 'The task definition' },
  body: definitionBody('task definition', 'docs/tasks.md'),
  check: (_db, doc) => checkTaskDefinition(doc),
  create: createTaskDefinition,
  replace: updateTaskDraft,
  moves: {
    activate: {
      summary: 'Activate a version',
      run: (db, id, version, opts) => setTaskDefinitionStatus(db, id, version, 'active', opts),
    },
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
