/**
 * Pause and resume a run (#15) through the interpreter's `aosPause`/`aosResume` Updates (workflows/pause.ts): the
 * run holds before its next step and is mirrored `paused`; resumed, it goes on. The run answers whether it accepted
 * the request, so a refusal is a 409 and an accepted request returns once the mirror shows it.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppError } from '../../common/errors';
import { TERMINAL_WORKFLOW_STATUSES, type WorkflowInstanceRow } from '../../db/repositories/workflow-instances';
import { pauseUpdate, resumeUpdate } from '../../workflows/api';
import { recordControl, type Actor } from './control-history';
import { getRunRow } from './control';
import type { RunDeps } from './deps';

const UPDATE_DEADLINE_MS = 10_000;

/** Pauses an open run: 409 when it is closed, queued (no run yet) or paused already. */
export function pauseRun(
  deps: RunDeps,
  instanceId: string,
  actor?: Actor,
  reason?: string,
): Promise<WorkflowInstanceRow> {
  return control(deps, instanceId, 'pause', actor, reason);
}

/** Resumes a paused run: 409 when it is not paused. */
export function resumeRun(
  deps: RunDeps,
  instanceId: string,
  actor?: Actor,
  reason?: string,
): Promise<WorkflowInstanceRow> {
  return control(deps, instanceId, 'resume', actor, reason);
}

async function control(
  deps: RunDeps,
  instanceId: string,
  action: 'pause' | 'resume',
  actor: Actor | undefined,
  reason: string | undefined,
): Promise<WorkflowInstanceRow> {
  const row = await getRunRow(deps, instanceId);
  if (TERMINAL_WORKFLOW_STATUSES.includes(row.status))
    throw AppError.conflict(`Workflow instance ${row.id} is already ${row.status}; cannot ${action} it`);
  if (row.status === 'queued')
    throw AppError.conflict(`Workflow instance ${row.id} is queued (not started yet); cannot ${action} it`);
  // The mirror answers the common refusals at once; the run's own validator decides the rest (races included).
  if (action === 'pause' && row.status === 'paused')
    throw AppError.conflict(`Workflow instance ${row.id} is paused already`);
  if (action === 'resume' && row.status !== 'paused' && row.status !== 'pending')
    throw AppError.conflict(`Workflow instance ${row.id} is not paused (${row.status})`);
  const handle = deps.temporal.workflow.getHandle(row.temporal_workflow_id);
  const request = { ...(reason !== undefined && { reason }), ...(actor && { by: actor.username }) };
  try {
    await deps.temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
      handle.executeUpdate(action === 'pause' ? pauseUpdate : resumeUpdate, { args: [request] }),
    );
  } catch (err) {
    throw refusal(err, row, action) ?? err;
  }
  await recordControl(deps.db, row.id, action, actor, { ...(reason !== undefined && { reason }) });
  return getRunRow(deps, instanceId);
}

/** The run's refusal (or its absence) as a 409; undefined for other errors. */
function refusal(err: unknown, row: WorkflowInstanceRow, action: string): AppError | undefined {
  if (err instanceof WorkflowNotFoundError)
    return AppError.conflict(`Workflow instance ${row.id} is no longer running; cannot ${action} it`);
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  // RunControlRejection: paused already, not paused, or ending. All mean the run is not in a state to do it.
  const message = err.cause instanceof ApplicationFailure ? err.cause.message : err.message;
  return AppError.conflict(`Workflow instance ${row.id} refused to ${action}: ${message}`);
}
