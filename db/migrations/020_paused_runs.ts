/**
 * Paused runs (#15): the `active_executions` monitoring view (migration 008) listed the open statuses by hand
 * (pending, running, waiting); it now counts every run that is not finished, `paused` (held by an operator) and
 * `queued` (waiting for its definition's concurrency limit) included. The new permission `workflow_instances:pause`
 * (pause and resume a run) is added to the catalogue and granted to the built-in `operator` role.
 */
import type { Knex } from 'knex';
import { seedPermissions } from './helpers';

const OBS = 'observability_service';
const WF = 'workflow_orchestrator_service';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE OR REPLACE VIEW ${OBS}.active_executions AS
    SELECT definition_workflow_id, definition_version, status, count(*)::bigint AS executions,
           min(coalesce(started_at, created_at)) AS oldest_started_at
      FROM ${WF}.workflow_instances
     WHERE status IN ('queued', 'pending', 'running', 'waiting', 'paused')
     GROUP BY definition_workflow_id, definition_version, status`);
  await seedPermissions(knex, [['workflow_instances:pause', 'Pause a run between steps, and resume it']], {
    operator: ['workflow_instances:pause'],
  });
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
