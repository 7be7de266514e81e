/**
 * Quarantine of runs whose workflow task keeps failing (an unexpected error in workflow code, a deadlock-detector
 * timeout, a non-determinism error, a worker that dies inside the task). Temporal retries such a task forever and
 * the run never moves; past `maxAttempts` the reconciler terminates it with the reason and the last failure, and
 * mirrors it terminated with error type `WorkflowTaskFailed`.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { Knex } from 'knex';
import { FailureType } from '../../../common/errors';
import { closeOpenWorkflowInstance } from '../../../db/repositories/workflow-instances';
import { recordRunClosed } from '../../observability/metrics';

/** The attempt of the run's pending workflow task (1 = first try), 0 when none is pending. */
export function workflowTaskAttempt(d: WorkflowExecutionDescription): number {
  return d.raw.pendingWorkflowTask?.attempt ?? 0;
}

/** The last recorded workflow task failure or timeout of a run, for the quarantine reason. */
async function lastTaskFailure(temporal: Client, workflowId: string, runId: string): Promise<string> {
  const res = await temporal.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: temporal.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 50,
  });
  for (const e of res.history?.events ?? []) {
    const failed = e.workflowTaskFailedEventAttributes;
    if (failed) return failed.failure?.message ?? `workflow task failed (cause ${String(failed.cause)})`;
    if (e.workflowTaskTimedOutEventAttributes)
      return 'workflow task timed out (the worker died or overran the task timeout)';
  }
  return 'no failure recorded in the history';
}

/** Terminates a run stuck at `attempt` failed workflow tasks and mirrors it; returns false if the row was already closed. */
export async function quarantineRun(
  deps: { db: Knex; temporal: Client },
  row: { id: string; temporal_workflow_id: string },
  runId: string,
  attempt: number,
): Promise<boolean> {
  const cause = await lastTaskFailure(deps.temporal, row.temporal_workflow_id, runId).catch(
    (err: Error) => `unknown (${err.message})`,
  );
  const message = `quarantined: its workflow task failed ${attempt} times in a row (last failure: ${cause})`;
  await deps.temporal.workflow.getHandle(row.temporal_workflow_id, runId).terminate(message);
  const closed = await closeOpenWorkflowInstance(deps.db, row.id, {
    status: 'terminated',
    error: { type: FailureType.WorkflowTaskFailed, message, details: { attempts: attempt, lastFailure: cause } },
    completedAt: new Date(),
  });
  if (closed) recordRunClosed(closed);
  return closed !== undefined;
}
