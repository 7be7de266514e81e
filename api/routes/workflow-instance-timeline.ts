/** GET /workflow-instances/{id}/timeline: a run's step executions and spans, linked, with its trace ids. */
import { Type } from '@sinclair/typebox';
import { runTimeline } from '../../services/observability/run-timeline';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Uuid } from '../http/schema';
import { problem } from './engine-schemas';

const time = { type: ['string', 'null'], format: 'date-time' };
const nullable = { type: ['string', 'null'] };

const step = {
  type: 'object',
  required: ['id', 'source', 'step_id', 'step_type', 'status', 'attempt', 'started_at', 'completed_at', 'span_ids'],
  properties: {
    id: {
      type: ['string', 'null'],
      format: 'uuid',
      description: 'The task execution (task_instances row); null for a step known only from its span',
    },
    source: {
      enum: ['task_instances', 'span'],
      description: 'A mirrored execution, or a step the mirror does not record (set, delay, ...) seen in its span',
    },
    step_id: { type: 'string' },
    step_path: nullable,
    step_type: { type: 'string' },
    task_id: nullable,
    status: { type: 'string' },
    attempt: { type: 'integer', description: 'Attempts made' },
    started_at: time,
    completed_at: time,
    duration_ms: { type: ['integer', 'null'] },
    span_ids: { type: 'array', items: { type: 'string' }, description: "The step's spans (`aos.step_id`)" },
  },
};

const span = {
  type: 'object',
  required: ['trace_id', 'span_id', 'name', 'status', 'started_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    trace_id: { type: 'string' },
    span_id: { type: 'string' },
    parent_span_id: nullable,
    name: { type: 'string' },
    service: nullable,
    kind: nullable,
    status: { enum: ['unset', 'ok', 'error'] },
    started_at: { type: 'string', format: 'date-time' },
    ended_at: time,
    duration_ms: { type: ['integer', 'null'] },
    temporal_workflow_id: nullable,
    workflow_instance_id: { type: ['string', 'null'], format: 'uuid' },
    attributes: { type: 'object' },
    events: { type: 'array' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};

const timeline = {
  type: 'object',
  required: ['run', 'steps', 'spans', 'trace_ids', 'truncated'],
  properties: {
    run: {
      type: 'object',
      required: ['id', 'workflow_id', 'status', 'started_at', 'completed_at'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        workflow_id: { type: 'string', description: 'Temporal workflow id' },
        status: { type: 'string' },
        started_at: time,
        completed_at: time,
      },
    },
    steps: { type: 'array', items: step },
    spans: { type: 'array', items: span },
    trace_ids: { type: 'array', items: { type: 'string' } },
    truncated: { type: 'boolean', description: 'More than 2000 spans: the first ones by start' },
  },
};

/** The timeline route. */
export const workflowInstanceTimelineRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/workflow-instances/:id/timeline',
    operationId: 'getWorkflowInstanceTimeline',
    summary: "A run's timeline: its step executions in start order, each with its spans, and the run's traces",
    tags: ['workflow-instances'],
    permission: 'workflow_instances:read',
    params: Type.Object({ id: Uuid() }),
    responses: { 200: { description: 'The timeline', schema: timeline }, 404: problem },
    handler: async ({ deps, params }) => ({ body: await runTimeline(deps.db, params.id) }),
  }),
];
