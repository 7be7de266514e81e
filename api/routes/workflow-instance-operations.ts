/** Run operations (#15): redrive a closed run from its failed step, or rerun it from the beginning. */
import { Type } from '@sinclair/typebox';
import type { Response } from 'express';
import { getRunRow, redriveRun, rerunRun, type Actor, type StartRunResult } from '../../services/runs';
import { principalOf } from '../auth/principal';
import { defineRoute, type RouteDefinition, type RouteResult } from '../http/route';
import { Uuid } from '../http/schema';
import { problem } from './engine-schemas';
import { workflowInstanceItem as item, workflowInstanceView } from './workflow-instance-views';
import type { ApiDeps } from '../deps';

const TAG = ['workflow-instances'];
const idParams = Type.Object({ id: Uuid() });

/** The API caller as the actor of the control history. */
export function actorOf(res: Response): Actor {
  const p = principalOf(res);
  return { username: p.username, userId: p.userId };
}

async function created(deps: ApiDeps, result: StartRunResult): Promise<RouteResult> {
  const row = await getRunRow(deps, result.instanceId);
  return {
    status: 201,
    body: workflowInstanceView(deps.config, row),
    headers: { Location: `/api/v1/workflow-instances/${row.id}` },
  };
}

/** `POST /workflow-instances/:id/redrive` and `.../rerun`. */
export const workflowInstanceOperationRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/workflow-instances/:id/redrive',
    operationId: 'redriveWorkflowInstance',
    summary:
      'Start a new run from the step that failed: same snapshot and input, completed steps and variables kept ' +
      '(a failed, timed-out, cancelled or terminated run, once)',
    tags: TAG,
    permission: 'workflow_instances:redrive',
    params: idParams,
    responses: {
      201: { description: 'The new run (its `origin` names this one)', schema: item },
      404: problem,
      409: problem,
      503: problem,
    },
    handler: async ({ deps, params, res }) => created(deps, await redriveRun(deps, params.id, actorOf(res))),
  }),
  defineRoute({
    method: 'post',
    path: '/workflow-instances/:id/rerun',
    operationId: 'rerunWorkflowInstance',
    summary: 'Start a new run of a closed run from the beginning: same definition version, same or new input',
    tags: TAG,
    permission: 'workflow_instances:redrive',
    params: idParams,
    body: Type.Object(
      {
        input: Type.Optional(
          Type.Unknown({ description: "New input (default: the run's); validated against the input_schema" }),
        ),
      },
      { additionalProperties: false },
    ),
    responses: {
      201: { description: 'The new run (its `origin` names this one)', schema: item },
      404: problem,
      409: problem,
      422: problem,
    },
    handler: async ({ deps, params, body, res }) =>
      created(
        deps,
        await rerunRun(
          deps,
          params.id,
          { input: (body as { input?: unknown } | undefined)?.input, inputPointer: '/body/input' },
          actorOf(res),
        ),
      ),
  }),
];
