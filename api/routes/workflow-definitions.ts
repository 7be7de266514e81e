/** REST for workflow definitions: create, validate (dry run), list, get, versions, update a draft, activate, deprecate. */
import {
  activateWorkflowDefinition,
  checkWorkflowDefinition,
  createWorkflowDefinition,
  deprecateWorkflowDefinition,
  updateWorkflowDraft,
  workflowDefinitionView,
  workflowVersions,
} from '../../services/definitions';
import type { RouteDefinition } from '../http/route';
import {
  documentListing,
  documentWriteRoutes,
  versionedReadRoutes,
  type DocumentWrites,
} from '../http/versioned-routes';
import { definitionAddress, definitionBody, workflowDefinitionItem } from './engine-schemas';

const kind: DocumentWrites<Parameters<typeof workflowDefinitionView>[0]> = {
  ...definitionAddress('workflow'),
  item: workflowDefinitionItem,
  lifecycle: workflowVersions,
  view: workflowDefinitionView,
  list: documentListing('List workflow definition versions, newest first'),
  body: definitionBody('workflow definition', 'docs/definition-language.md'),
  check: checkWorkflowDefinition,
  create: createWorkflowDefinition,
  replace: updateWorkflowDraft,
  moves: {
    activate: {
      summary: 'Activate a version (its tasks must resolve); nothing else is deprecated',
      run: activateWorkflowDefinition,
    },
    deprecate: { summary: 'Deprecate a version: unpinned starts stop choosing it', run: deprecateWorkflowDefinition },
  },
  activateMay422: true,
  writeSummaries: {
    create: 'Create a definition version (draft); 422 lists every error',
    validate: 'Validate a definition without storing it',
    createVersion: 'Create a new version of an existing definition',
  },
};

/** Routes under /workflow-definitions. */
export const workflowDefinitionRoutes: RouteDefinition[] = [...versionedReadRoutes(kind), ...documentWriteRoutes(kind)];
