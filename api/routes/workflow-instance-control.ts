/** Pause and resume a run, and its control history (who did what, and when). */
import { Type } from '@sinclair/typebox';
import { controlHistory, getRunRow, pauseRun, resumeRun, type ControlActionRow } from '../../services/runs';
import { actorOf } from '../auth/principal';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Uuid } from '../http/schema';
import { problem } from './engine-schemas';
import { workflowInstanceItem as item, workflowInstanceView } from './workflow-instance-views';

const TAG = ['workflow-instances'];
const idParams = Type.Object({ id: Uuid() });
const reasonBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000, description: 'Why (kept in the control history)' })) },
  { additionalProperties: false },
);

const controlAction = {
  type: 'object',
  required: ['id', 'action', 'principal', 'at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    action: { enum: ['start', 'cancel', 'terminate', 'redrive', 'rerun', 'pause', 'resume', 'event', 'dequeue'] },
    principal: { type: 'string', description: 'Username, or `system:<component>` when the platform acted' },
    principal_id: { type: ['string', 'null'], format: 'uuid' },
    details: { type: 'object', description: 'Reason, event id, new run...' },
    bulk_operation_id: { type: ['string', 'null'], format: 'uuid' },
    at: { type: 'string', format: 'date-time' },
  },
};

const controlActionView = (r: ControlActionRow) => ({
  id: r.id,
  action: r.action,
  principal: r.principal,
  principal_id: r.principal_id,
  details: r.details,
  bulk_operation_id: r.bulk_operation_id,
  at: r.at,
});

/** Routes under /workflow-instances/{id}: pause, resume, control-history. */
export const workflowInstanceControlRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/workflow-instances/:id/pause',
    operationId: 'pauseWorkflowInstance',
    summary: 'Pause at the next step boundary (running steps finish; timers keep counting)',
    tags: TAG,
    permission: 'workflow_instances:pause',
    params: idParams,
    body: reasonBody,
    responses: {
      200: { description: 'Paused (the run is mirrored `paused`)', schema: item },
      404: problem,
      409: problem,
    },
    handler: async ({ deps, params, body, res }) => ({
      body: workflowInstanceView(deps.config, await pauseRun(deps, params.id, actorOf(res), body?.reason)),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/workflow-instances/:id/resume',
    operationId: 'resumeWorkflowInstance',
    summary: 'Resume a paused run',
    tags: TAG,
    permission: 'workflow_instances:pause',
    params: idParams,
    body: reasonBody,
    responses: {
      200: { description: 'Resumed (mirrored `running` or `waiting`)', schema: item },
      404: problem,
      409: problem,
    },
    handler: async ({ deps, params, body, res }) => ({
      body: workflowInstanceView(deps.config, await resumeRun(deps, params.id, actorOf(res), body?.reason)),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/workflow-instances/:id/control-history',
    operationId: 'getWorkflowInstanceControlHistory',
    summary: 'Who did what to the run (start, cancel, terminate, pause, resume, event...), oldest first',
    tags: TAG,
    permission: 'workflow_instances:read',
    params: idParams,
    responses: {
      200: {
        description: 'The control history',
        schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: controlAction } } },
      },
      404: problem,
    },
    handler: async ({ deps, params }) => {
      const row = await getRunRow(deps, params.id);
      return { body: { items: (await controlHistory(deps.db, row.id)).map(controlActionView) } };
    },
  }),
];
