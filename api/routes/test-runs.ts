/**
 * testing_framework_service: test runs (#14, docs/testing.md). Starting one answers 202 at once; the cases run on
 * the test task queue and the run's `summary` counts and its case results show progress while it goes.
 */
import { Type } from '@sinclair/typebox';
import type { TestRunRequest } from '../../common/contracts/testing';
import {
  cancelTestRun,
  getTestCaseResult,
  getTestRun,
  listTestCaseResults,
  listTestRuns,
  startTestRun,
} from '../../services/testing/test-runs';
import { AppError } from '../../common/errors';
import { principalOf } from '../auth/principal';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Typed, Uuid } from '../http/schema';
import { temporalUiLink } from '../http/temporal-ui';
import type { ApiDeps } from '../deps';
import { problem } from './engine-schemas';

const TAG = ['tests'];
const R = 'tests:read';
const W = 'tests:write';
const RUN_STATUSES = ['pending', 'running', 'passed', 'failed', 'error', 'cancelled'];
const CASE_STATUSES = ['pending', 'running', 'passed', 'failed', 'error', 'skipped'];
const idParams = Type.Object({ id: Uuid() });
const time = { type: ['string', 'null'], format: 'date-time' };
const nullableString = { type: ['string', 'null'] };
const businessId = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,255}$' };
const version = { type: 'string', pattern: '^[A-Za-z0-9._+-]{1,50}$' };

const summary = {
  type: 'object',
  description: 'Cases per status, kept current while the run goes',
  properties: Object.fromEntries(['total', ...CASE_STATUSES].map((s) => [s, { type: 'integer' }])),
};
const figure = {
  type: 'object',
  properties: {
    total: { type: 'integer' },
    visited: { type: 'integer' },
    percent: { type: 'number' },
    unreached: { type: 'array', items: { type: 'string' } },
  },
};

const runItem = {
  type: 'object',
  required: ['id', 'status', 'summary', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    run_id: { type: 'string' },
    status: { enum: RUN_STATUSES },
    test_definition_id: { type: ['string', 'null'], format: 'uuid' },
    test_definition_version: nullableString,
    triggered_by: nullableString,
    selector: { type: 'object', description: 'The request that started the run' },
    summary,
    coverage: {
      type: ['array', 'null'],
      description: 'Per workflow target, once the run has ended: steps and switch branches the cases reached',
      items: {
        type: 'object',
        properties: {
          target_id: { type: 'string' },
          target_version: { type: 'string' },
          steps: figure,
          branches: figure,
        },
      },
    },
    concurrency: { type: ['integer', 'null'] },
    temporal_workflow_id: nullableString,
    test_definitions: {
      type: 'array',
      description: 'The test definition versions under test',
      items: { type: 'object' },
    },
    targets: { type: 'array', description: 'The target definition versions under test', items: { type: 'object' } },
    started_at: time,
    completed_at: time,
    duration_ms: { type: ['integer', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};

const expectation = {
  type: 'object',
  required: ['expectation', 'pointer', 'passed', 'message'],
  properties: {
    expectation: { type: 'string' },
    pointer: { type: 'string', description: 'JSON pointer of the mismatch in the actual result' },
    passed: { type: 'boolean' },
    expected: {},
    actual: {},
    message: { type: 'string' },
  },
};

const resultItem = {
  type: 'object',
  required: ['id', 'test_run_id', 'case_id', 'status'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    test_run_id: { type: 'string', format: 'uuid' },
    test_definition_id: { type: ['string', 'null'], format: 'uuid' },
    test_id: nullableString,
    case_id: { type: 'string' },
    name: nullableString,
    tags: { type: 'array', items: { type: 'string' } },
    position: { type: 'integer' },
    status: { enum: CASE_STATUSES },
    input: {},
    expected_output: {},
    actual_output: {},
    error: {},
    assertions: { type: 'array', items: expectation },
    path: { type: ['array', 'null'], items: { type: 'string' } },
    branches: { type: ['array', 'null'], items: { type: 'string' } },
    emitted_events: { type: ['array', 'null'] },
    temporal_workflow_id: {
      type: ['string', 'null'],
      description: "The case run's workflow id, to inspect in Temporal",
    },
    temporal_ui_url: {
      type: ['string', 'null'],
      description: 'The case run in the Temporal Web UI (its latest run), once it has started',
    },
    workflow_instance_id: {
      type: ['string', 'null'],
      format: 'uuid',
      description: 'Always null: case runs are not mirrored into workflow_instances (see temporal_workflow_id)',
    },
    time_scale: { type: ['number', 'null'] },
    started_at: time,
    completed_at: time,
    duration_ms: { type: ['integer', 'null'] },
    simulated_duration_ms: { type: ['integer', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};

const startBody = Typed<TestRunRequest>({
  type: 'object',
  additionalProperties: false,
  description: 'Exactly one of test_definition_id, test_id, tag and target',
  properties: {
    test_definition_id: { type: 'string', format: 'uuid' },
    test_id: businessId,
    tag: { type: 'string', minLength: 1, maxLength: 100 },
    target: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'id'],
      properties: { type: { enum: ['workflow', 'task'] }, id: businessId, version },
    },
    concurrency: { type: 'integer', minimum: 1, maximum: 16 },
  },
});

/** A case result with its link to the Temporal Web UI (the workflow id alone: the UI shows its latest run). */
function caseResultView(config: ApiDeps['config'], r: Record<string, unknown>): Record<string, unknown> {
  const workflowId = typeof r.temporal_workflow_id === 'string' ? r.temporal_workflow_id : null;
  return {
    ...r,
    temporal_ui_url: workflowId ? temporalUiLink(config, workflowId, '').replace(/\/\/history$/, '') : null,
  };
}

const SELECTORS = ['test_definition_id', 'test_id', 'tag', 'target'] as const;

/** `/test-runs` routes. */
export const testRunRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/test-runs',
    operationId: 'startTestRun',
    summary: 'Start a test run: a test definition, a tag across test definitions, or every test of a target',
    tags: TAG,
    permission: W,
    body: startBody,
    responses: { 202: { description: 'Started', schema: runItem }, 404: problem, 422: problem, 503: problem },
    handler: async ({ deps, body, res }) => {
      const given = SELECTORS.filter((k) => body[k] !== undefined);
      if (given.length !== 1)
        throw AppError.unprocessable('Name exactly one of test_definition_id, test_id, tag and target', [
          { pointer: given.length === 0 ? '/body' : `/body/${given[1]}`, message: 'exactly one selector is required' },
        ]);
      const id = await startTestRun(deps, body, principalOf(res).username);
      return { status: 202, body: await getTestRun(deps.db, id), headers: { Location: `/api/v1/test-runs/${id}` } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/test-runs',
    operationId: 'listTestRuns',
    summary: 'List test runs, newest first',
    tags: TAG,
    permission: R,
    query: listQuery({ status: RUN_STATUSES }, { test_definition_id: Uuid() }),
    responses: { 200: { description: 'A page of test runs', schema: pageSchema(runItem) } },
    handler: async ({ deps, query }) => ({
      body: toPage(
        await listTestRuns(deps.db, { status: query.status, testDefinitionId: query.test_definition_id }, query),
      ),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/test-runs/:id',
    operationId: 'getTestRun',
    summary: 'Read a test run: status, counts, coverage, what it tests',
    tags: TAG,
    permission: R,
    params: idParams,
    responses: { 200: { description: 'The test run', schema: runItem }, 404: problem },
    handler: async ({ deps, params }) => ({ body: await getTestRun(deps.db, params.id) }),
  }),
  defineRoute({
    method: 'post',
    path: '/test-runs/:id/cancel',
    operationId: 'cancelTestRun',
    summary: 'Cancel a test run: running cases are cancelled, the others end skipped',
    tags: TAG,
    permission: W,
    params: idParams,
    responses: { 202: { description: 'Cancellation requested', schema: runItem }, 404: problem, 409: problem },
    handler: async ({ deps, params }) => {
      await cancelTestRun(deps, params.id);
      return { status: 202, body: await getTestRun(deps.db, params.id) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/test-runs/:id/results',
    operationId: 'listTestCaseResults',
    summary: "A test run's case results, in run order",
    tags: TAG,
    permission: R,
    params: idParams,
    query: Type.Object({
      status: Type.Optional(Type.Unsafe<string>({ enum: CASE_STATUSES })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
      cursor: Type.Optional(Type.String({ maxLength: 20, description: '`next_cursor` of the previous page' })),
    }),
    responses: {
      200: { description: 'A page of case results', schema: pageSchema(resultItem) },
      400: problem,
      404: problem,
    },
    handler: async ({ deps, params, query }) => {
      const page = await listTestCaseResults(deps.db, params.id, { status: query.status }, query);
      return { body: { ...page, items: page.items.map((r) => caseResultView(deps.config, r)) } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/test-runs/:id/results/:resultId',
    operationId: 'getTestCaseResult',
    summary: 'Read one case result',
    tags: TAG,
    permission: R,
    params: Type.Object({ id: Uuid(), resultId: Uuid() }),
    responses: { 200: { description: 'The case result', schema: resultItem }, 404: problem },
    handler: async ({ deps, params }) => ({
      body: caseResultView(deps.config, await getTestCaseResult(deps.db, params.id, params.resultId)),
    }),
  }),
];
