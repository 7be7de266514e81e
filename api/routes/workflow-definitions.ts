/** REST for workflow definitions: create, validate (dry run), list, get, versions, update a draft, activate, deprecate. */
import {
  checkWorkflowDefinition,
  createWorkflowDefinition,
  deprecateWorkflowDefinition,
  updateWorkflowDraft,
  workflowDefinitionView,
  workflowVersions,
} from '../../services/definitions';
import { activateWithGate } from '../../services/testing/activation-gate';
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
      summary:
        'Activate a version (its tasks must resolve, its gating test definitions must pass); nothing else is deprecated',
      // The activation gate (docs/testing.md#activation-gate): only API activations are gated.
      run: (_db, id, version, opts, deps) => activateWithGate(deps, id, version, opts),
    },
    deprecate: { summary: 'Deprecate a version: unpinned starts stop choosing it', run: deprecateWorkflowDefinition },
  },
  activateMay422: true,
  activateResponses: {
    409: {
      description:
        'Problem: the version cannot be activated from its status, or a gating test case did not pass ' +
        '(`errors`: one `/tests/<test_id>/<case_id>` per failing case; `test_run_id`: the gating test run)',
    },
    503: {
      description:
        'Problem: the gating test run did not end within ACTIVATION_GATE_TIMEOUT_MS (`test_run_id`); nothing activated',
    },
  },
  writeSummaries: {
    create: 'Create a definition version (draft); 422 lists every error',
    validate: 'Validate a definition without storing it',
    createVersion: 'Create a new version of an existing definition',
  },
};

/** Routes under /workflow-definitions. */
export const workflowDefinitionRoutes: RouteDefinition[] = [...versionedReadRoutes(kind), ...documentWriteRoutes(kind)];
