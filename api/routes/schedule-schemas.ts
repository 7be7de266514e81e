/** Response schemas of the schedule routes. */
const time = { type: 'string', format: 'date-time' };
const nullableString = { type: ['string', 'null'] };

/** A schedule as stored. */
export const scheduleItem = {
  type: 'object',
  required: ['id', 'schedule_id', 'workflow_id', 'spec', 'policies', 'status', 'temporal_schedule_id'],
  properties: {
    id: { type: 'string' },
    schedule_id: { type: 'string' },
    workflow_id: { type: 'string' },
    workflow_version: nullableString,
    description: nullableString,
    spec: { type: 'object' },
    input: {},
    policies: {
      type: 'object',
      properties: {
        overlap: { type: 'string' },
        catchup_window: { type: 'string' },
        pause_on_failure: { type: 'boolean' },
      },
    },
    status: { enum: ['active', 'paused'] },
    note: nullableString,
    temporal_schedule_id: { type: 'string' },
    created_by: nullableString,
    created_at: time,
    updated_at: time,
  },
};

const action = {
  type: 'object',
  required: ['scheduled_at', 'action_workflow_id', 'run_workflow_id', 'instance_id'],
  properties: {
    scheduled_at: time,
    taken_at: { type: ['string', 'null'] },
    action_workflow_id: { type: 'string' },
    run_workflow_id: { type: 'string' },
    instance_id: nullableString,
  },
};

/** A schedule with Temporal's live info. */
export const scheduleView = {
  ...scheduleItem,
  required: [...scheduleItem.required, 'info'],
  properties: {
    ...scheduleItem.properties,
    info: {
      type: ['object', 'null'],
      description: "Temporal's live view; null when Temporal no longer has the schedule (deleted there)",
      required: ['paused', 'next_action_times', 'recent_actions', 'running_actions'],
      properties: {
        paused: { type: 'boolean' },
        note: nullableString,
        next_action_times: { type: 'array', items: time },
        recent_actions: { type: 'array', items: action },
        running_actions: { type: 'array', items: action },
        actions_taken: { type: 'integer' },
        actions_skipped_overlap: { type: 'integer' },
        actions_missed_catchup_window: { type: 'integer' },
      },
    },
  },
};
