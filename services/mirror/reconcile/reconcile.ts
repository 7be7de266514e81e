/**
 * Reconciliation: compares the mirror with Temporal (the source of truth) and repairs drift.
 * Runs that ended outside the interpreter's control (terminate, run timeout, a lost final write) are still
 * open in workflow_instances; Temporal's describe says how they closed, and that is written back.
 * Task rows are rebuilt from the run's history where the task mirror lost writes (task-rebuild.ts); rows
 * history cannot close (the run ended around a running activity) are closed as the run ended. Returns a drift report.
 */
import { WorkflowFailedError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Knex } from 'knex';
import { FailureType } from '../../../common/errors';
import type { Logger } from '../../../common/logger';
import type { DroppedTaskWrites } from '../dropped-writes';
import {
  closeOpenWorkflowInstance,
  listSettledOpenWorkflowInstances,
  markRunStarted,
  type OpenWorkflowInstance,
  type WorkflowInstanceStatus,
} from '../../../db/repositories/workflow-instances';
import { closeOrphanTasks } from '../../../db/repositories/orphan-tasks';
import { quarantineRun, workflowTaskAttempt } from './quarantine';
import { rebuildTasksFromHistory } from './task-rebuild';
import { recordRunClosed, runsStarted } from '../../observability/metrics';

/** One mirror row that disagreed with Temporal. */
export interface DriftEntry {
  instanceId: string;
  workflowId: string;
  mirrorStatus: string;
  temporalStatus: WorkflowExecutionStatusName | 'NOT_FOUND';
  /** The status written (undefined in a dry run or when only reported). */
  fixedTo?: string;
}

/** What a reconciliation pass found and did. */
export interface ReconcileReport {
  at: string;
  checked: number;
  drift: DriftEntry[];
  fixed: number;
  /** Task rows written (or, in a dry run, to be written) from Temporal's history. */
  tasksRebuilt: number;
  orphanTasksClosed: number;
}

/** Options of a pass. */
export interface ReconcileOptions {
  /** Report only, write nothing. */
  dryRun?: boolean;
  /** Rows updated more recently than this are left alone (the interpreter may be mid-write) [5s]. */
  settleMs?: number;
  /** A pending row with no Temporal run after this long is a lost start [60s]. */
  lostStartMs?: number;
  limit?: number;
  /** A running run whose workflow task has failed this many times in a row is terminated and mirrored [off]. */
  workflowTaskMaxAttempts?: number;
}

const CLOSED: Partial<Record<WorkflowExecutionStatusName, string>> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
};

type OpenRow = OpenWorkflowInstance;

async function outcome(
  temporal: Client,
  workflowId: string,
  status: string,
): Promise<{ output?: unknown; error?: unknown }> {
  if (status === 'completed' || status === 'failed') {
    try {
      return { output: await temporal.workflow.getHandle(workflowId).result() };
    } catch (err) {
      const cause = err instanceof WorkflowFailedError ? err.cause : (err as Error);
      const type = (cause as { type?: string })?.type ?? cause?.name ?? FailureType.WorkflowFailed;
      return { error: { type, message: cause?.message ?? String(err) } };
    }
  }
  const type =
    status === 'timed_out'
      ? FailureType.Timeout
      : status === 'terminated'
        ? FailureType.Terminated
        : FailureType.Cancelled;
  return { error: { type, message: `run ${status} outside the interpreter (reconciled from Temporal)` } };
}

async function checkRow(
  deps: { db: Knex; temporal: Client },
  row: OpenRow,
  opts: ReconcileOptions,
): Promise<DriftEntry | undefined> {
  let temporalStatus: WorkflowExecutionStatusName | 'NOT_FOUND';
  let closeTime: Date | undefined;
  let runId: string | undefined;
  let startTime: Date | undefined;
  let taskAttempt = 0;
  try {
    const d = await deps.temporal.workflow.getHandle(row.temporal_workflow_id).describe();
    temporalStatus = d.status.name;
    closeTime = d.closeTime;
    runId = d.runId;
    startTime = d.startTime;
    taskAttempt = workflowTaskAttempt(d);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    temporalStatus = 'NOT_FOUND';
  }
  const entry: DriftEntry = {
    instanceId: row.id,
    workflowId: row.temporal_workflow_id,
    mirrorStatus: row.status,
    temporalStatus,
  };
  let target = temporalStatus === 'NOT_FOUND' ? undefined : CLOSED[temporalStatus];
  let fields: { output?: unknown; error?: unknown } = {};
  if (temporalStatus === 'NOT_FOUND') {
    // A pending row whose start never reached Temporal (the starter crashed in between): close it as failed.
    if (row.status !== 'pending' || Date.now() - row.created_at.getTime() < (opts.lostStartMs ?? 60_000))
      return row.status === 'pending' ? undefined : entry;
    target = 'failed';
    fields = { error: { type: FailureType.StartLost, message: 'no Temporal run exists for this instance' } };
  } else if (
    temporalStatus === 'RUNNING' &&
    opts.workflowTaskMaxAttempts &&
    taskAttempt >= opts.workflowTaskMaxAttempts &&
    runId
  ) {
    // Retrying forever: nothing the run does changes the next attempt's outcome. Contain it.
    if (opts.dryRun) return entry;
    const fixed = await quarantineRun(deps, row, runId, taskAttempt);
    return fixed ? { ...entry, fixedTo: 'terminated' } : undefined;
  } else if (!target) {
    // Started, but the starter died before it mirrored the start (startRun's markRunStarted): mirror it now.
    if (row.status !== 'pending' || temporalStatus !== 'RUNNING' || !runId) return undefined;
    if (!opts.dryRun) {
      await markRunStarted(deps.db, row.id, runId, startTime);
      runsStarted.inc({ definition: row.definition_workflow_id });
    }
    return { ...entry, ...(!opts.dryRun && { fixedTo: 'running' }) };
  } else {
    fields = await outcome(deps.temporal, row.temporal_workflow_id, target);
  }
  if (opts.dryRun) return entry;
  const closed = await closeOpenWorkflowInstance(deps.db, row.id, {
    status: target as WorkflowInstanceStatus,
    output: fields.output,
    error: fields.error,
    completedAt: closeTime ?? new Date(),
  });
  if (closed) recordRunClosed(closed);
  return closed ? { ...entry, fixedTo: target } : undefined;
}

/** One reconciliation pass over the open mirror rows. */
export async function reconcile(
  deps: { db: Knex; temporal: Client; logger: Logger; drops?: DroppedTaskWrites },
  opts: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const settledBefore = new Date(Date.now() - (opts.settleMs ?? 5_000));
  const rows = await listSettledOpenWorkflowInstances(deps.db, settledBefore, opts.limit ?? 500);
  const drift: DriftEntry[] = [];
  // A few describes at a time: enough to keep up, gentle on the frontend.
  for (let i = 0; i < rows.length; i += 8) {
    const batch = await Promise.all(
      rows.slice(i, i + 8).map((r) =>
        checkRow(deps, r, opts).catch((err) => {
          deps.logger.warn({ err, workflowId: r.temporal_workflow_id }, 'reconcile: describe failed');
          return undefined;
        }),
      ),
    );
    for (const e of batch) if (e) drift.push(e);
  }
  const settleMs = opts.settleMs ?? 5_000;
  // History first: the orphan close below is only for what history cannot explain.
  const tasksRebuilt = await rebuildTasksFromHistory(deps, { dryRun: opts.dryRun, settleMs, limit: opts.limit ?? 500 });
  const orphanTasksClosed = opts.dryRun ? 0 : await closeOrphanTasks(deps.db, settleMs);
  const report = {
    at: new Date().toISOString(),
    checked: rows.length,
    drift,
    fixed: drift.filter((d) => d.fixedTo).length,
    tasksRebuilt,
    orphanTasksClosed,
  };
  if (drift.length > 0 || tasksRebuilt > 0 || orphanTasksClosed > 0)
    deps.logger.info(
      { fixed: report.fixed, drift: drift.length, tasksRebuilt, orphanTasksClosed },
      'reconcile: drift repaired',
    );
  return report;
}
