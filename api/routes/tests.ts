/**
 * testing_framework_service: test definitions (./test-definitions.ts), test runs and their per-case results.
 * Plain CRUD: executing tests is a later feature.
 */
import type { RouteDefinition } from '../http/route';
import { crudRoutes } from '../http/crud-routes';
import { testDefinitionRoutes } from './test-definitions';

const S = 'testing_framework_service';
const R = 'tests:read';
const W = 'tests:write';
const uuid = { type: 'string', format: 'uuid' };
const nullableUuid = { type: ['string', 'null'], format: 'uuid' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const ms = { type: ['integer', 'null'], minimum: 0 };

const runs = crudRoutes({
  path: '/test-runs',
  table: `${S}.test_runs`,
  tag: 'tests',
  operation: 'TestRun',
  noun: 'test run',
  read: R,
  write: W,
  statuses: ['pending', 'running', 'passed', 'failed', 'error', 'cancelled'],
  createOnly: {
    run_id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,255}$' },
    test_definition_id: uuid,
    test_definition_version: { type: 'string', maxLength: 50 },
    triggered_by: { type: 'string', maxLength: 255 },
  },
  required: ['run_id', 'test_definition_id'],
  editable: {
    environment: { type: 'object' },
    summary: { type: 'object' },
    started_at: nullableTime,
    completed_at: nullableTime,
    duration_ms: ms,
  },
  filters: { test_definition_id: { column: 'test_definition_id', schema: uuid } },
  columns: { test_definition_version: { type: ['string', 'null'] }, triggered_by: { type: ['string', 'null'] } },
});

const results = crudRoutes({
  path: '/test-runs/:run_id/results',
  table: `${S}.test_case_results`,
  parent: { param: 'run_id', column: 'test_run_id', table: `${S}.test_runs` },
  tag: 'tests',
  operation: 'TestCaseResult',
  noun: 'test case result',
  read: R,
  write: W,
  statuses: ['passed', 'failed', 'skipped', 'error'],
  createOnly: { case_id: { type: 'string', minLength: 1, maxLength: 255 } },
  required: ['case_id', 'status'],
  editable: {
    name: { type: ['string', 'null'], maxLength: 255 },
    input: {},
    expected_output: {},
    actual_output: {},
    assertions: { type: 'array' },
    error: {},
    workflow_instance_id: nullableUuid,
    started_at: nullableTime,
    completed_at: nullableTime,
    duration_ms: ms,
  },
  filters: {},
});

/** `/test-definitions`, `/test-runs` and `/test-runs/{run_id}/results` routes. */
export const testRoutes: RouteDefinition[] = [...testDefinitionRoutes, ...runs, ...results];
