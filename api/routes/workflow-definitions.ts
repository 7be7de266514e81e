/** REST for workflow definitions: create, validate (dry run), list, get, versions, update a draft, activate, deprecate. */
import {
  activateWorkflowDefinition, checkWorkflowDefinition, createWorkflowDefinition, deprecateWorkflowDefinition,
  updateWorkflowDraft, workflowDefinitionView, workflowVersions,
} from '../../services/definitions';
import { listQuery } from '../http/list-query';
import type { RouteDefinition } from '../http/route';
import { documentWriteRoutes, versionedReadRoutes, type DocumentWrites } from '../http/versioned-routes';
import { definitionBody, idParams, workflowDefinitionItem } from './engine-schemas';

const kind: DocumentWrites<Parameters<typeof workflowDefinitionView>[0]> = {
  path: '/workflow-definitions', param: 'workflowId', businessId: 'workflow_id', tag: 'workflow-definitions',
  operation: 'WorkflowDefinition', read: 'workflow_definitions:read', write: 'workflow_definitions:write',
  item: workflowDefinitionItem, params: { id: idParams('workflowId'), version: idParams('workflowId', true) },
  lifecycle: workflowVersions, view: workflowDefinitionView,
  list: {
    summary: 'List workflow definition versions, newest first', description: 'A page of versions',
    query: listQuery({ status: ['draft', 'active', 'deprecated'], definition: true }, { search: { type: 'string', maxLength: 255 } }),
    filter: (q) => ({ status: q.status as never, businessId: q.definition, search: q.search }),
  },
  summaries: { current: 'The highest active version (else the newest version)', versions: 'Every version, oldest first' },
  body: definitionBody('workflow definition', 'docs/definition-language.md'),
  check: checkWorkflowDefinition,
  create: createWorkflowDefinition,
  replace: updateWorkflowDraft,
  moves: {
    activate: { summary: 'Activate a version (its tasks must resolve); nothing else is deprecated', run: activateWorkflowDefinition },
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
