/**
 * The monitoring queries of the seed's node-based system (active executions, execution performance,
 * storage usage), rewritten for this model as views in observability_service.
 */
import type { Knex } from 'knex';

const OBS = 'observability_service';
const WF = 'workflow_orchestrator_service';
const TASK = 'task_execution_service';

const VIEWS: Record<string, string> = {
  // Runs that are not finished, per definition and status, with the oldest start (stuck-run radar).
  active_executions: `
    SELECT definition_workflow_id, definition_version, status, count(*)::bigint AS executions,
           min(coalesce(started_at, created_at)) AS oldest_started_at
      FROM ${WF}.workflow_instances
     WHERE status IN ('pending', 'running', 'waiting')
     GROUP BY definition_workflow_id, definition_version, status`,
  // Finished runs per definition version: counts by outcome and duration percentiles of completed runs.
  execution_performance: `
    SELECT definition_workflow_id, definition_version,
           count(*)::bigint AS total_executions,
           count(*) FILTER (WHERE status = 'completed')::bigint AS completed,
           count(*) FILTER (WHERE status IN ('failed', 'timed_out', 'terminated'))::bigint AS failed,
           count(*) FILTER (WHERE status = 'cancelled')::bigint AS cancelled,
           avg(extract(epoch FROM completed_at - started_at) * 1000) FILTER (WHERE status = 'completed') AS avg_duration_ms,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at) * 1000)
             FILTER (WHERE status = 'completed') AS p50_duration_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at) * 1000)
             FILTER (WHERE status = 'completed') AS p95_duration_ms,
           max(completed_at) AS last_completed_at
      FROM ${WF}.workflow_instances
     WHERE completed_at IS NOT NULL AND started_at IS NOT NULL
     GROUP BY definition_workflow_id, definition_version`,
  // The same per task, over the partitioned task_instances.
  task_performance: `
    SELECT task_id, step_type, count(*)::bigint AS total_executions,
           count(*) FILTER (WHERE status = 'completed')::bigint AS completed,
           count(*) FILTER (WHERE status IN ('failed', 'timed_out'))::bigint AS failed,
           avg(duration_ms) FILTER (WHERE status = 'completed') AS avg_duration_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE status = 'completed') AS p95_duration_ms,
           avg(attempt)::double precision AS avg_attempts
      FROM ${TASK}.task_instances
     GROUP BY task_id, step_type`,
  // Size of every table of the eight service schemas; partitions roll up into their parent.
  storage_usage: `
    SELECT n.nspname AS schema_name, c.relname AS table_name,
           coalesce(sum(pg_total_relation_size(pt.relid)), pg_total_relation_size(c.oid))::bigint AS total_bytes,
           pg_size_pretty(coalesce(sum(pg_total_relation_size(pt.relid)), pg_total_relation_size(c.oid))::bigint) AS total_size,
           coalesce(sum(pc.reltuples) FILTER (WHERE pc.reltuples > 0), nullif(c.reltuples, -1))::bigint AS estimated_rows
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN LATERAL pg_partition_tree(c.oid) pt ON c.relkind = 'p' AND pt.isleaf
      LEFT JOIN pg_class pc ON pc.oid = pt.relid
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND n.nspname IN ('workflow_orchestrator_service', 'event_processing_service', 'task_execution_service',
                         'integration_service', 'auth_service', 'observability_service',
                         'testing_framework_service', 'web_application_service')
     GROUP BY n.nspname, c.relname, c.oid, c.reltuples`,
};

/** Creates the monitoring views. */
export async function up(knex: Knex): Promise<void> {
  for (const [name, sql] of Object.entries(VIEWS)) await knex.raw(`CREATE VIEW ${OBS}.${name} AS ${sql}`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
