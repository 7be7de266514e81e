/**
 * `/test-definitions` (#14, docs/testing.md): versioned test definition documents. Bodies are checked in full by
 * the service (services/definitions/test-definitions.ts: schema, semantics and the target's steps and tasks), so
 * the request schemas below only check top-level types and a 422 lists every error with its pointer.
 */
import { testDefinitionSchema } from '../../common/definitions/test-definition-schema';
import { prepareTestDefinition } from '../../services/definitions/test-definitions';
import { definitionRoutes } from '../http/definition-routes';
import type { JsonSchema, RouteDefinition } from '../http/route';

const nullableUuid = { type: ['string', 'null'], format: 'uuid' };
const { $schema: _s, ...documented } = testDefinitionSchema.properties as Record<string, JsonSchema>;

/** The document's fields, as answered (the full schema is served at /api/v1/schemas/test-definition.json). */
const fields: Record<string, JsonSchema> = {
  target_type: documented.target_type,
  target_id: { type: ['string', 'null'], description: 'workflow_id or task_id of the target' },
  target_version: { type: ['string', 'null'], description: 'Pinned target version; null = its current version' },
  workflow_definition_id: { ...nullableUuid, description: 'Row of the pinned workflow version (legacy)' },
  task_definition_id: { ...nullableUuid, description: 'Row of the pinned task version (legacy)' },
  test_cases: documented.test_cases,
  settings: documented.settings,
};

/** Request body properties: types and column lengths only; the service reports every rule with its pointer. */
const bodyFields: Record<string, JsonSchema> = {
  test_id: { type: 'string', maxLength: 255 },
  version: { type: 'string', maxLength: 50 },
  name: { type: 'string', maxLength: 255 },
  description: { type: ['string', 'null'], maxLength: 10_000 },
  status: { enum: ['draft', 'active', 'deprecated'] },
  target_type: { type: 'string', maxLength: 50 },
  target_id: { type: 'string', maxLength: 255 },
  target_version: { type: ['string', 'null'], maxLength: 50 },
  workflow_definition_id: nullableUuid,
  task_definition_id: nullableUuid,
  test_cases: { type: 'array' },
  settings: { type: 'object' },
};

/** Routes under /test-definitions. */
export const testDefinitionRoutes: RouteDefinition[] = definitionRoutes({
  path: '/test-definitions',
  table: 'testing_framework_service.test_definitions',
  businessId: 'test_id',
  tag: 'tests',
  operation: 'TestDefinition',
  noun: 'test definition',
  read: 'tests:read',
  write: 'tests:write',
  fields,
  bodyFields,
  bodyDescription:
    'A test definition document (docs/testing.md; JSON Schema at /api/v1/schemas/test-definition.json). ' +
    'A 422 lists every error: schema, semantics, and references into the target.',
  prepare: (db, content, current) => prepareTestDefinition(db, content, current),
});
