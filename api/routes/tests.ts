/**
 * testing_framework_service: test definitions (versioned, like other definitions) and test runs
 * (./test-runs.ts).
 */
import { testTargetErrors } from '../../services/definitions/test-definitions';
import { definitionRoutes } from '../http/definition-routes';
import type { RouteDefinition } from '../http/route';
import { testRunRoutes } from './test-runs';

const S = 'testing_framework_service';
const R = 'tests:read';
const W = 'tests:write';
const nullableUuid = { type: ['string', 'null'], format: 'uuid' };

const definitions = definitionRoutes({
  path: '/test-definitions',
  table: `${S}.test_definitions`,
  businessId: 'test_id',
  tag: 'tests',
  operation: 'TestDefinition',
  noun: 'test definition',
  read: R,
  write: W,
  required: ['target_type'],
  fields: {
    target_type: { enum: ['workflow', 'task'] },
    workflow_definition_id: nullableUuid,
    task_definition_id: nullableUuid,
    test_cases: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['case_id'],
        properties: {
          case_id: { type: 'string', minLength: 1, maxLength: 255 },
          name: { type: 'string', maxLength: 255 },
          input: {},
          expected_output: {},
          assertions: { type: 'array' },
          mocks: { type: 'object' },
        },
      },
    },
    settings: { type: 'object' },
  },
  check: testTargetErrors,
});

/** `/test-definitions` and `/test-runs` routes. */
export const testRoutes: RouteDefinition[] = [...definitions, ...testRunRoutes];
