/**
 * The workflow half of the lifecycle mirror: the `mirrorWorkflow` local activity writes workflow_instances
 * at workflow-level transitions. Insert-or-update by instance id, guarded by mirror_seq (a lower or equal seq
 * never overwrites) and by terminal states (never left once reached). A DB error is thrown (plain, so
 * retryable): the local activity's retry policy in the interpreter rides out an outage.
 */
import type { Knex } from 'knex';
import type { MirrorWorkflowUpdate } from '../../common/definitions/activity-types';
import type { Logger } from '../../common/logger';
import { isPermanentDbError } from './retry';

export const WORKFLOW_INSTANCES = 'workflow_orchestrator_service.workflow_instances';

/** Statuses a run never leaves. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;

const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));

function changes(u: MirrorWorkflowUpdate): Record<string, unknown> {
  const terminal = (TERMINAL_STATUSES as readonly string[]).includes(u.status);
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
 * The row's started_at. The run's own start time (Temporal's, same clock as its `at`) replaces what the starter
 * wrote: the starter stamps the row from its own clock and may even write after a fast run's end was mirrored, so
 * keeping its value could put completed_at before started_at. Updates from older runs only fill a missing one.
 */
function startedAt(db: Knex, u: MirrorWorkflowUpdate, column: string): Knex.Raw | string {
  return u.startedAt ?? db.raw(`coalesce(${column}, ?)`, [u.at]);
}

/** Applies one update; returns true when it changed the row (false = stale, duplicate or row unknown). */
export async function applyWorkflowUpdate(db: Knex, u: MirrorWorkflowUpdate): Promise<boolean> {
  const set = changes(u);
  const guard = (q: Knex.QueryBuilder) => q.where('workflow_instances.mirror_seq', '<', u.seq).whereNotIn('workflow_instances.status', TERMINAL_STATUSES);
  if (!u.start) {
    const n = await guard(db(WORKFLOW_INSTANCES).where({ id: u.instanceId }).update({ ...set, started_at: startedAt(db, u, 'started_at') }));
    return n > 0;
  }
  const s = u.start;
  const definitionRowId = s.definitionRowId
    ?? db.raw('(SELECT id FROM workflow_orchestrator_service.workflow_definitions WHERE workflow_id = ? AND version = ?)', [s.definitionId, s.definitionVersion]);
  const insert = {
    id: u.instanceId,
    temporal_workflow_id: u.workflowId,
    workflow_definition_id: definitionRowId,
    definition_workflow_id: s.definitionId,
    definition_version: s.definitionVersion,
    input: json(s.input) ?? null,
    correlation_key: s.correlationKey ?? null,
    trigger: json(s.trigger) ?? null,
    parent_instance_id: s.trigger?.parentInstanceId ?? null,
    started_at: u.startedAt ?? u.at,
    ...set,
  };
  const rows = await guard(
    // continue-as-new may send `start` again: the chain's start time (carried) wins.
    db(WORKFLOW_INSTANCES).insert(insert).onConflict('id').merge({ ...set, started_at: startedAt(db, u, 'workflow_instances.started_at') }),
  ).returning('id');
  return rows.length > 0;
}

/** The local activity, built over a knex. */
export function createMirrorActivities({ db, logger }: { db: Knex; logger: Logger }): { mirrorWorkflow(update: MirrorWorkflowUpdate): Promise<void> } {
  const log = logger.child({ component: 'mirror' });
  return {
    async mirrorWorkflow(update: MirrorWorkflowUpdate): Promise<void> {
      let applied: boolean;
      try {
        applied = await applyWorkflowUpdate(db, update);
      } catch (err) {
        // A constraint or syntax error will fail the same way on every retry: report it, let the run go on.
        if (!isPermanentDbError(err)) throw err;
        log.error({ err, workflowId: update.workflowId, seq: update.seq }, 'workflow mirror write rejected by the database');
        return;
      }
      log.debug({ workflowId: update.workflowId, seq: update.seq, status: update.status, applied }, 'workflow mirrored');
    },
  };
}
