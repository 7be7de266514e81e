/** REST for runs: start, list/filter, get (with task executions), live state, cancel, terminate, reconcile. */
import { Type } from '@sinclair/typebox';
import type { Request } from 'express';
import { reconcile } from '../../services/mirror/reconcile/reconcile';
import {
  cancelRun,
  getRunRow,
  listRunTasks,
  listRuns,
  queryRunState,
  runLineage,
  sendEventToRun,
  terminateRun,
  type WorkflowInstanceStatus,
  WORKFLOW_INSTANCE_STATUSES,
} from '../../services/runs';
import type { ApiDeps } from '../deps';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Uuid } from '../http/schema';
import { actorOf, principalOf } from '../auth/principal';
import { EVENT_ID, EVENT_NAME } from '../../common/events/schema';
import { problem } from './engine-schemas';
import { workflowInstanceItem as item, workflowInstanceView } from './workflow-instance-views';
import { startRunBody, startRunHandler } from './workflow-runs';

const TAG = ['workflow-instances'];
const STATUSES = [...WORKFLOW_INSTANCE_STATUSES];
const idParams = Type.Object({ id: Uuid() });
const reportSchema = {
  type: 'object',
  required: ['checked', 'drift'],
  properties: {
    at: { type: 'string' },
    checked: { type: 'integer' },
    fixed: { type: 'integer' },
    tasksRebuilt: { type: 'integer' },
    orphanTasksClosed: { type: 'integer' },
    drift: { type: 'array' },
  },
};
const reconcileWith = (deps: ApiDeps, req: Request, dryRun: boolean) =>
  reconcile({ db: deps.db, temporal: deps.temporal, logger: req.res?.locals.log ?? deps.logger }, { dryRun });

/** Routes under /workflow-instances. */
export const workflowInstanceRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/workflow-instances',
    operationId: 'startWorkflowInstance',
    summary:
      "Start a run (201), queue it behind the definition's concurrency limit (202), or answer the existing run for a duplicate business key (200)",
    tags: TAG,
    permission: 'workflow_instances:start',
    body: Type.Object(
      { workflow_id: Type.String({ minLength: 1, maxLength: 255 }), ...startRunBody.properties },
      { additionalProperties: false },
    ),
    responses: {
      200: { description: 'An existing run answered', schema: item },
      201: { description: 'Started', schema: item },
      202: { description: "Queued: the definition's concurrency limit is reached (status queued)", schema: item },
      404: problem,
      409: problem,
      422: problem,
    },
    handler: async (ctx) => startRunHandler(ctx, ctx.body.workflow_id),
  }),
  defineRoute({
    method: 'get',
    path: '/workflow-instances',
    operationId: 'listWorkflowInstances',
    summary: 'List runs, newest first (keyset pagination)',
    tags: TAG,
    permission: 'workflow_instances:read',
    query: listQuery(
      { status: STATUSES, definition: true, correlationKey: true },
      { business_key: Type.String({ maxLength: 512 }), version: Type.String({ maxLength: 50 }) },
    ),
    responses: { 200: { description: 'A page of runs', schema: pageSchema(item) } },
    handler: async ({ deps, query }) => {
      const page = await listRuns(
        deps.db,
        {
          status: query.status as WorkflowInstanceStatus | undefined,
          definitionWorkflowId: query.definition,
          definitionVersion: query.version,
          correlationKey: query.correlation_key,
          businessKey: query.business_key,
          createdAfter: query.created_after ? new Date(query.created_after) : undefined,
          createdBefore: query.created_before ? new Date(query.created_before) : undefined,
        },
        query,
      );
      return { body: toPage({ ...page, items: page.items.map((r) => workflowInstanceView(deps.config, r)) }) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workflow-instances/reconcile',
    operationId: 'reportWorkflowInstanceDrift',
    summary: 'Compare the mirror with Temporal and report drift (writes nothing)',
    tags: TAG,
    permission: 'workflow_instances:read',
    responses: { 200: { description: 'Drift report', schema: reportSchema } },
    handler: async ({ deps, req }) => ({ body: await reconcileWith(deps, req, true) }),
  }),
  defineRoute({
    method: 'post',
    path: '/workflow-instances/reconcile',
    operationId: 'reconcileWorkflowInstances',
    summary: 'Repair drift now (the worker also does this periodically)',
    tags: TAG,
    permission: 'workflow_instances:terminate',
    responses: { 200: { description: 'What was repaired', schema: reportSchema } },
    handler: async ({ deps, req }) => ({ body: await reconcileWith(deps, req, false) }),
  }),
  defineRoute({
    method: 'get',
    path: '/workflow-instances/:id',
    operationId: 'getWorkflowInstance',
    summary: 'A run with its task executions',
    tags: TAG,
    permission: 'workflow_instances:read',
    params: idParams,
    responses: { 200: { description: 'The run', schema: item }, 404: problem },
    handler: async ({ deps, params }) => {
      const row = await getRunRow(deps, params.id);
      const { redriven_by, reruns } = await runLineage(deps, row);
      return {
        body: { ...workflowInstanceView(deps.config, row, await listRunTasks(deps.db, row.id)), redriven_by, reruns },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/workflow-instances/:id/state',
    operationId: 'getWorkflowInstanceState',
    summary: 'Live state from the interpreter (current steps, variables)',
    tags: TAG,
    permission: 'workflow_instances:read',
    params: idParams,
    query: Type.Object(
      {
        replay: Type.Optional(
          Type.Boolean({
            description:
              'A closed run answers from the mirror (no completed steps); `true` asks Temporal for its final state ' +
              '(a worker replays it; the mirror remains the fallback)',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    responses: {
      200: {
        description: 'Live state',
        schema: {
          type: 'object',
          required: ['status'],
          properties: {
            status: { type: 'string' },
            currentSteps: { type: 'array' },
            completedSteps: { type: 'array' },
            variables: { type: 'object' },
            stepOutputs: { type: 'object' },
            openHumanTasks: {
              type: 'array',
              description: 'Human tasks the run has open (task id and step id)',
              items: {
                type: 'object',
                properties: { taskId: { type: 'string' }, stepId: { type: 'string' }, openedAt: { type: 'string' } },
              },
            },
            trail: {
              type: 'object',
              description: 'Test runs only: steps in the order they started and the switch branches taken',
              properties: { steps: { type: 'array' }, branches: { type: 'array' } },
            },
            source: { enum: ['temporal', 'mirror'] },
          },
        },
      },
      404: problem,
    },
    handler: async ({ deps, params, query }) => ({
      body: await queryRunState(deps, params.id, { replayClosed: query.replay === true }),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/workflow-instances/:id/cancel',
    operationId: 'cancelWorkflowInstance',
    summary: 'Request cancellation (catch paths may still run)',
    tags: TAG,
    permission: 'workflow_instances:cancel',
    params: idParams,
    responses: { 202: { description: 'Cancellation requested', schema: item }, 404: problem, 409: problem },
    handler: async ({ deps, params, res }) => ({
      status: 202,
      body: workflowInstanceView(deps.config, await cancelRun(deps, params.id, actorOf(res))),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/workflow-instances/:id/events',
    operationId: 'sendEventToWorkflowInstance',
    summary: 'Send an event straight to this run (no event row, no routing): operators unblocking a wait',
    tags: TAG,
    permission: 'workflow_instances:signal',
    params: idParams,
    body: Type.Object(
      {
        event: Type.String({ pattern: EVENT_NAME, maxLength: 255, description: 'The event name a wait matches' }),
        payload: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        correlation: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 1000,
            description: "Compared with the waiting step's correlation (default: the run's correlation key)",
          }),
        ),
        event_id: Type.Optional(
          Type.String({
            pattern: EVENT_ID,
            description: 'Idempotency: a repeated id is delivered once (default: a new uuid)',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    responses: {
      202: {
        description: 'Delivered to the run (a wait takes it when its pattern and correlation match)',
        schema: {
          type: 'object',
          required: ['event_id', 'instance_id', 'workflow_id', 'pattern', 'sent_at'],
          properties: {
            event_id: { type: 'string' },
            instance_id: { type: 'string', format: 'uuid' },
            workflow_id: { type: 'string' },
            pattern: { type: 'string' },
            correlation: { type: ['string', 'null'] },
            sent_by: { type: ['string', 'null'] },
            sent_at: { type: 'string', format: 'date-time' },
          },
        },
      },
      404: problem,
      409: problem,
      422: problem,
    },
    handler: async ({ deps, params, body, res }) => ({
      status: 202,
      body: await sendEventToRun(deps, params.id, body, principalOf(res).username, actorOf(res)),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/workflow-instances/:id/terminate',
    operationId: 'terminateWorkflowInstance',
    summary: 'Terminate at once (no cleanup)',
    tags: TAG,
    permission: 'workflow_instances:terminate',
    params: idParams,
    body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
    responses: { 200: { description: 'Terminated', schema: item }, 404: problem, 409: problem },
    handler: async ({ deps, params, body, res }) => ({
      body: workflowInstanceView(deps.config, await terminateRun(deps, params.id, body?.reason, actorOf(res))),
    }),
  }),
];
