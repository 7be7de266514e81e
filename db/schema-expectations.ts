/** What the data model must contain: used by the schema tests on PostgreSQL and on PGlite. */
import { SCHEMAS } from './migrations/helpers';

export { SCHEMAS };

/** The 23 documented tables (seed 001), by schema. */
export const DOCUMENTED_TABLES: Record<(typeof SCHEMAS)[number], string[]> = {
  auth_service: ['permissions', 'roles', 'users'],
  event_processing_service: [
    'dead_letter_queue',
    'event_definitions',
    'event_instances',
    'event_queue_state',
    'event_sequences',
  ],
  integration_service: ['integration_definitions', 'integration_instances'],
  observability_service: ['observability_logs', 'observability_metrics', 'observability_traces'],
  task_execution_service: ['task_definitions', 'task_instances'],
  testing_framework_service: ['test_case_results', 'test_definitions', 'test_runs'],
  web_application_service: ['ui_components'],
  workflow_orchestrator_service: [
    'workflow_definitions',
    'workflow_event_subscriptions',
    'workflow_event_triggers',
    'workflow_instances',
  ],
};

/** Helper tables beyond the 23, each justified in docs/data-model.md. */
export const EXTRA_TABLES = [
  'auth_service.user_roles',
  'auth_service.role_permissions',
  'auth_service.api_keys',
  'event_processing_service.event_instance_keys',
  'workflow_orchestrator_service.workflow_definition_history',
  'task_execution_service.task_definition_history',
  'event_processing_service.event_definition_history',
  'web_application_service.ui_component_history',
  'integration_service.integration_definition_history',
  'testing_framework_service.test_definition_history',
  'auth_service.login_attempts',
  'task_execution_service.dropped_task_writes',
];

/**
 * The range-partitioned tables and their partition column, which every primary key and unique index of theirs
 * contains: monthly on created_at for the runtime tables, daily on the time column for telemetry (migration 016).
 */
export const PARTITION_COLUMNS: Record<string, string> = {
  'event_processing_service.event_instances': 'created_at',
  'observability_service.observability_logs': 'timestamp',
  'observability_service.observability_metrics': 'recorded_at',
  'observability_service.observability_traces': 'started_at',
  'task_execution_service.task_instances': 'created_at',
};

/**
 * The unique business key of each table (columns of a unique index, partition column excluded).
 * Telemetry rows (logs, metrics) and dead letters (unique only while open) have none; see the docs.
 */
export const BUSINESS_KEYS: Record<string, string[]> = {
  'auth_service.users': ['username'],
  'auth_service.roles': ['role_id'],
  'auth_service.permissions': ['permission_id'],
  'event_processing_service.event_definitions': ['event_id', 'version'],
  'event_processing_service.event_instances': ['event_id'],
  'event_processing_service.event_instance_keys': ['event_id'],
  'event_processing_service.event_queue_state': ['event_id', 'consumer'],
  'event_processing_service.event_sequences': ['sequence_key'],
  'integration_service.integration_definitions': ['integration_id', 'version'],
  'integration_service.integration_instances': ['instance_id'],
  'observability_service.observability_traces': ['trace_id', 'span_id'],
  'task_execution_service.task_definitions': ['task_id', 'version'],
  'task_execution_service.task_instances': ['workflow_instance_id', 'execution_key'],
  'testing_framework_service.test_definitions': ['test_id', 'version'],
  'testing_framework_service.test_runs': ['run_id'],
  'testing_framework_service.test_case_results': ['test_run_id', 'test_definition_id', 'case_id'],
  'web_application_service.ui_components': ['component_id', 'version'],
  'workflow_orchestrator_service.workflow_definitions': ['workflow_id', 'version'],
  'workflow_orchestrator_service.workflow_instances': ['temporal_workflow_id'],
  'workflow_orchestrator_service.workflow_event_triggers': ['trigger_id'],
  'workflow_orchestrator_service.workflow_event_subscriptions': ['subscription_key'],
  'auth_service.api_keys': ['prefix'],
  'auth_service.login_attempts': ['key'],
  'task_execution_service.dropped_task_writes': ['run_id'],
};

/** Every documented table as `schema.table`. */
export function documentedTables(): string[] {
  return Object.entries(DOCUMENTED_TABLES)
    .flatMap(([s, tables]) => tables.map((t) => `${s}.${t}`))
    .sort();
}
