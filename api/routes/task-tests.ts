/**
 * Single-task tests over REST (docs/testing.md, "Testing one task"): run a stored task definition version, or a
 * document not saved yet, once with an input, and answer the result. A task that fails is still a 200 whose
 * status says `failed`; the route's errors are about the request (404 unknown task, 422 bad body or definition,
 * 503 no worker or Temporal).
 */
import { Type } from '@sinclair/typebox';
import type { TaskTestResult } from '../../common/contracts/testing';
import { inlineTaskSnapshot, runTaskTest, storedTaskSnapshot } from '../../services/testing/task-test';
import type { ApiDeps } from '../deps';
import { defineRoute, type JsonSchema, type RouteDefinition } from '../http/route';
import { AnyObject } from '../http/schema';
import { validationResult } from '../http/versioned-routes';
import { idParams, problem } from './engine-schemas';

/** Running a task for real is what a test run with `unmocked: run` does: the testing framework's write permission. */
const PERMISSION = 'tests:write';
const tags = ['task-definitions'];

const input = Type.Optional(Type.Unknown({ description: "The task's input [{}]; checked against its input_schema" }));

// The dry-run answer's shape: valid, and every error with its pointer.
const schemaCheck = validationResult;

/** The answer of every single-task test route (common/contracts/testing.ts TaskTestResult). */
export const taskTestResultSchema: JsonSchema = {
  type: 'object',
  required: ['status', 'input_check', 'duration_ms', 'started_at', 'task'],
  properties: {
    status: { enum: ['succeeded', 'failed'] },
    output: {},
    error: {
      type: 'object',
      required: ['type', 'message', 'retryable'],
      properties: {
        type: { type: 'string' },
        message: { type: 'string' },
        details: {},
        retryable: { type: 'boolean' },
      },
    },
    input_check: schemaCheck,
    output_check: schemaCheck,
    duration_ms: { type: 'integer', minimum: 0 },
    started_at: { type: 'string', format: 'date-time' },
    task: {
      type: 'object',
      required: ['task_id', 'version', 'type'],
      properties: { task_id: { type: 'string' }, version: { type: 'string' }, type: { type: 'string' } },
    },
  },
};

const responses = {
  200: { description: 'What the task did (a failed task is a result too)', schema: taskTestResultSchema },
  404: problem,
  422: problem,
  503: problem,
};

async function stored(deps: ApiDeps, taskId: string, version: string | undefined, body: { input?: unknown }) {
  const task = await storedTaskSnapshot(deps.db, taskId, version);
  return runTaskTest(deps, { task, input: body.input ?? {}, inputPointer: '/body/input' });
}

const answer = (result: TaskTestResult) => ({ body: result });

/** `POST /task-definitions/test`, `/task-definitions/:taskId/test` and `.../versions/:version/test`. */
export const taskTestRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/task-definitions/test',
    operationId: 'testTaskDefinitionDocument',
    summary: 'Run a task definition document (not stored) once with an input; 422 lists every error of the document',
    tags,
    permission: PERMISSION,
    body: Type.Object(
      { definition: AnyObject({ description: 'A task definition document: see docs/tasks.md' }), input },
      { additionalProperties: false },
    ),
    responses: { 200: responses[200], 422: problem, 503: problem },
    handler: async ({ deps, body }) => {
      const task = await inlineTaskSnapshot(body.definition, '/body/definition');
      const run = { task, input: body.input ?? {}, inputPointer: '/body/input', taskPointer: '/body/definition' };
      return answer(await runTaskTest(deps, run));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/task-definitions/:taskId/test',
    operationId: 'testTaskDefinition',
    summary: 'Run the current version of a task definition (highest active, else newest) once with an input',
    tags,
    permission: PERMISSION,
    params: idParams('taskId'),
    body: Type.Object({ input }, { additionalProperties: false }),
    responses,
    handler: async ({ deps, params, body }) => answer(await stored(deps, params.taskId, undefined, body)),
  }),
  defineRoute({
    method: 'post',
    path: '/task-definitions/:taskId/versions/:version/test',
    operationId: 'testTaskDefinitionVersion',
    summary: 'Run one version of a task definition (drafts too) once with an input',
    tags,
    permission: PERMISSION,
    params: idParams('taskId', true),
    body: Type.Object({ input }, { additionalProperties: false }),
    responses,
    handler: async ({ deps, params, body }) => answer(await stored(deps, params.taskId, params.version, body)),
  }),
];
