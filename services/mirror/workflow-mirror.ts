/**
 * The workflow half of the lifecycle mirror: turns a workflow-level transition (the `mirrorWorkflow` local
 * activity's update, activities/mirror) into the workflow_instances row write. Insert-or-update by instance id,
 * guarded by mirror_seq (a lower or equal seq never overwrites) and by terminal states (never left once reached).
 */
import type { Knex } from 'knex';
import type { MirrorWorkflowUpdate } from '../../common/contracts/mirror';
import {
  TERMINAL_WORKFLOW_STATUSES,
  updateWorkflowMirrorRow,
  upsertWorkflowMirrorRow,
  type WorkflowMirrorWrite,
} from '../../db/repositories/workflow-instances';

const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));

function changes(u: MirrorWorkflowUpdate): Record<string, unknown> {
  const terminal = (TERMINAL_WORKFLOW_STATUSES as readonly string[]).includes(u.status);
  const row: Record<string, unknown> = {
    temporal_run_id: u.runId,
    status: u.status,
    mirror_seq: u.seq,
    current_steps: json(terminal ? [] : (u.currentSteps ?? undefined)),
    variables: json(u.variables),
    output: json(u.output),
    error: json(u.error),
    completed_at: terminal ? u.at : undefined,
  };
  for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
  return row;
}

/**
 * Applies one update; returns true when it changed the row (false = stale, duplicate or row unknown).
 * The row's started_at: the run's own start time (Temporal's, same clock as its `at`) replaces what the starter
 * wrote: the starter stamps the row from its own clock and may even write after a fast run's end was mirrored, so
 * keeping its value could put completed_at before started_at. Updates from older runs only fill a missing one.
 */
export async function applyWorkflowUpdate(db: Knex, u: MirrorWorkflowUpdate): Promise<boolean> {
  const write: WorkflowMirrorWrite = {
    instanceId: u.instanceId,
    seq: u.seq,
    set: changes(u),
    startedAt: u.startedAt,
    at: u.at,
  };
  if (!u.start) return updateWorkflowMirrorRow(db, write);
  const s = u.start;
  return upsertWorkflowMirrorRow(db, write, {
    temporal_workflow_id: u.workflowId,
    definitionRowId: s.definitionRowId,
    definition_workflow_id: s.definitionId,
    definition_version: s.definitionVersion,
    input: json(s.input) ?? null,
    correlation_key: s.correlationKey ?? null,
    trigger: json(s.trigger) ?? null,
    parent_instance_id: s.trigger?.parentInstanceId ?? null,
  });
}
