/** Response shapes of workflow instances and their task executions. */
import type { Config } from '../../common/config';
import type { TaskInstanceRow, WorkflowInstanceRow } from '../../services/runs';
import type { JsonSchema } from '../http/route';
import { temporalUiLink } from '../http/temporal-ui';

const time = { type: ['string', 'null'] };

/** One task execution (task_instances row). */
export const taskInstanceItem: JsonSchema = {
  type: 'object',
  required: ['id', 'step_id', 'step_type', 'status', 'attempt'],
  properties: {
    id: { type: 'string' },
    step_id: { type: 'string' },
    step_path: { type: ['string', 'null'] },
    step_type: { type: 'string' },
    task_id: { type: ['string', 'null'] },
    task_version: { type: ['string', 'null'] },
    status: { type: 'string' },
    attempt: { type: 'integer' },
    input: {},
    output: {},
    error: {},
    started_at: time,
    completed_at: time,
    duration_ms: { type: ['integer', 'null'] },
    temporal_activity_id: {
      type: ['string', 'null'],
      description: 'the activity id in Temporal (find the attempt in the Web UI history)',
    },
  },
};

/** One run (workflow_instances row) with its Temporal Web UI link. */
export const workflowInstanceItem: JsonSchema = {
  type: 'object',
  required: ['id', 'workflow_id', 'status', 'definition', 'temporal_ui_url'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    workflow_id: { type: 'string' },
    run_id: { type: ['string', 'null'] },
    status: { type: 'string' },
    definition: {
      type: 'object',
      properties: { id: { type: 'string' }, workflow_id: { type: 'string' }, version: { type: 'string' } },
    },
    input: {},
    output: {},
    error: {},
    variables: { type: 'object' },
    current_steps: { type: 'array', items: { type: 'string' } },
    correlation_key: { type: ['string', 'null'] },
    business_key: { type: ['string', 'null'] },
    concurrency_key: {
      type: ['string', 'null'],
      description: "The definition's concurrency key of the run ('' = a limit without key; null = unlimited)",
    },
    queue_seq: { type: ['integer', 'null'], description: 'Place in the queue of a queued run (lower starts first)' },
    priority: { type: ['integer', 'null'], description: 'Temporal priority key (1 = most urgent .. 5)' },
    trigger: {},
    parent_instance_id: { type: ['string', 'null'] },
    started_at: time,
    completed_at: time,
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    temporal_ui_url: { type: 'string' },
    control_history_url: { type: 'string', description: 'Who did what to the run (GET, workflow_instances:read)' },
    tasks: { type: 'array', items: taskInstanceItem },
    origin: {
      description: 'The run this one redrove or reran (lineage), or null',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['instance_id', 'kind'],
          properties: { instance_id: { type: 'string', format: 'uuid' }, kind: { enum: ['redrive', 'rerun'] } },
        },
      ],
    },
    redriven_by: {
      type: ['string', 'null'],
      description: 'GET of one run: the run that redrove this one (a run is redriven at most once)',
    },
    reruns: {
      type: 'array',
      items: { type: 'string' },
      description: 'GET of one run: the reruns of this run, oldest first',
    },
  },
};

/** The API view of a run. */
export function workflowInstanceView(
  config: Config,
  r: WorkflowInstanceRow,
  tasks?: TaskInstanceRow[],
): Record<string, unknown> {
  return {
    id: r.id,
    workflow_id: r.temporal_workflow_id,
    run_id: r.temporal_run_id,
    status: r.status,
    definition: { id: r.workflow_definition_id, workflow_id: r.definition_workflow_id, version: r.definition_version },
    input: r.input,
    output: r.output,
    error: r.error,
    variables: r.variables,
    current_steps: r.current_steps,
    correlation_key: r.correlation_key,
    business_key: r.business_key,
    concurrency_key: r.concurrency_key ?? null,
    queue_seq: r.queue_seq ?? null,
    priority: r.priority ?? null,
    trigger: r.trigger,
    parent_instance_id: r.parent_instance_id,
    started_at: r.started_at,
    completed_at: r.completed_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
    // Without a run id yet (pending), the UI link names the workflow id alone and shows its latest run.
    temporal_ui_url: r.temporal_run_id
      ? temporalUiLink(config, r.temporal_workflow_id, r.temporal_run_id)
      : temporalUiLink(config, r.temporal_workflow_id, '').replace(/\/\/history$/, ''),
    control_history_url: `/api/v1/workflow-instances/${r.id}/control-history`,
    ...(tasks && { tasks: tasks.map(taskInstanceView) }),
    origin: r.origin_instance_id && r.origin_kind ? { instance_id: r.origin_instance_id, kind: r.origin_kind } : null,
  };
}

/** The API view of a task execution. */
export function taskInstanceView(t: TaskInstanceRow): Record<string, unknown> {
  return {
    id: t.id,
    step_id: t.step_id,
    step_path: t.step_path,
    step_type: t.step_type,
    task_id: t.task_id,
    task_version: t.task_version,
    status: t.status,
    attempt: t.attempt,
    input: t.input,
    output: t.output,
    error: t.error,
    started_at: t.started_at,
    completed_at: t.completed_at,
    duration_ms: t.duration_ms,
    temporal_activity_id: t.temporal_activity_id,
  };
}
