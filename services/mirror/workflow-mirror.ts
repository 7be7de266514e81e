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
  type WorkflowMirrorApplied,
  type WorkflowMirrorWrite,
} from '../../db/repositories/workflow-instances';
import { recordRunTransition } from '../observability/metrics';

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
 *
 * A write that took effect is counted in the run metrics (services/observability/metrics.ts): the seq and
 * terminal guards make a retried or replayed write a no-op, so each transition is counted once. A run's start
 * is counted here when the run wrote its own start (seq 1 with `start`: a child or trigger-less start); a run
 * started through startRun is counted by the starter (services/runs/start.ts).
 */
export async function applyWorkflowUpdate(db: Knex, u: MirrorWorkflowUpdate): Promise<boolean> {
  const applied = await writeWorkflowUpdate(db, u);
  if (!applied) return false;
  recordRunTransition({
    definition: applied.definition_workflow_id,
    status: applied.status,
    started: u.start !== undefined && u.seq === 1,
    startedAt: applied.started_at,
    completedAt: applied.completed_at,
  });
  return true;
}

function writeWorkflowUpdate(db: Knex, u: MirrorWorkflowUpdate): Promise<WorkflowMirrorApplied | undefined> {
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
