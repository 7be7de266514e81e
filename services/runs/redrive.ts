/**
 * Redrive and rerun (#15): a closed run starts again as a new run that names it as its origin.
 *
 * - Redrive (failed, timed_out, cancelled, terminated): the exact definition and task snapshots the run started
 *   with (its first history event), the same input, correlation key, trigger and options; it begins at the
 *   top-level step that was in progress, with the variables, step records and unconsumed events of the run's end
 *   state, and reuses that step's finished nested executions (the interpreter's journal, asked of the closed run
 *   through the `aosRedriveState` query: a worker replays it). A run is redriven at most once.
 * - Rerun (any closed run): the same snapshot from the beginning, with the same input or a new one.
 *
 * Both go through startRun and are recorded on the original run's control history.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { InterpreterInput, RedriveStart, RedriveState } from '../../common/definitions/types';
import { AppError } from '../../common/errors';
import { findRedrivingRun } from '../../db/repositories/run-lineage';
import { isUniqueViolation } from '../../db/repositories/sql';
import { TERMINAL_WORKFLOW_STATUSES, type WorkflowInstanceRow } from '../../db/repositories/workflow-instances';
import { aosRedriveStateQuery } from '../../workflows/api';
import { recordControl, type Actor } from './control-history';
import { getRunRow } from './control';
import type { RunDeps } from './deps';
import { startRun, type StartRunRequest, type StartRunResult } from './start';

/** Statuses a redrive applies to (a completed run has no failed step: rerun it). */
export const REDRIVABLE_STATUSES = ['failed', 'timed_out', 'cancelled', 'terminated'] as const;

// A closed run's query is answered by a worker replaying its whole history.
const REPLAY_DEADLINE_MS = 30_000;

/** Redrives a closed, unsuccessful run from its step in progress; answers the new run. */
export async function redriveRun(deps: RunDeps, instanceId: string, actor?: Actor): Promise<StartRunResult> {
  const row = await closedRun(deps, instanceId, 'redriven');
  if (!(REDRIVABLE_STATUSES as readonly string[]).includes(row.status))
    throw AppError.conflict(
      `Workflow instance ${row.id} is ${row.status}; only a failed, timed-out, cancelled or terminated run can be ` +
        'redriven (rerun it instead)',
    );
  await refuseRedriven(deps, row.id);
  const start = await originalStart(deps, row);
  if (!start) throw AppError.conflict(`Workflow instance ${row.id} cannot be redriven: its history is gone`);
  // A run closed before its first workflow task completed did nothing (and cannot be queried): start it afresh.
  const state = start.ran ? await redriveState(deps, row) : undefined;
  const position = state?.position ?? null;
  const result = await startDerived(deps, row, start.input, 'redrive', {
    input: start.input.input,
    ...(state && position !== null && { redrive: toRedriveStart(state) }),
  });
  await recordControl(deps.db, row.id, 'redrive', actor, {
    new_instance_id: result.instanceId,
    position,
    reused: Object.keys(state?.journal ?? {}).length,
  });
  return result;
}

/** Reruns a closed run from the beginning with the same definition version, and `opts.input` when given. */
export async function rerunRun(
  deps: RunDeps,
  instanceId: string,
  opts: { input?: unknown; inputPointer?: string },
  actor?: Actor,
): Promise<StartRunResult> {
  const row = await closedRun(deps, instanceId, 'rerun');
  const original = (await originalStart(deps, row))?.input;
  const result = await startDerived(deps, row, original, 'rerun', {
    input: opts.input !== undefined ? opts.input : (original?.input ?? row.input),
    inputPointer: opts.inputPointer ?? '/input',
  });
  await recordControl(deps.db, row.id, 'rerun', actor, {
    new_instance_id: result.instanceId,
    new_input: opts.input !== undefined,
  });
  return result;
}

async function closedRun(deps: RunDeps, instanceId: string, done: string): Promise<WorkflowInstanceRow> {
  const row = await getRunRow(deps, instanceId);
  if (!TERMINAL_WORKFLOW_STATUSES.includes(row.status))
    throw AppError.conflict(`Workflow instance ${row.id} is still ${row.status}; only a closed run can be ${done}`);
  return row;
}

async function refuseRedriven(deps: RunDeps, instanceId: string): Promise<void> {
  const by = await findRedrivingRun(deps.db, instanceId);
  if (by)
    throw new AppError(
      409,
      'Conflict',
      `Workflow instance ${instanceId} was already redriven by run ${by.id}`,
      [],
      'about:blank',
      { redriven_by: by.id },
    );
}

// The first workflow task completes by event 4 or soon after (a failed or timed-out first task adds a few events).
const FIRST_EVENTS = 10;

/**
 * The start input of the run's first execution (its WorkflowExecutionStarted event: the exact snapshots), and
 * whether the run got as far as completing a workflow task. Undefined when Temporal no longer has the history.
 */
async function originalStart(
  deps: RunDeps,
  row: WorkflowInstanceRow,
): Promise<{ input: InterpreterInput; ran: boolean } | undefined> {
  if (!row.temporal_run_id) return undefined;
  const res = await deps.temporal.workflowService
    .getWorkflowExecutionHistory({
      namespace: deps.temporal.options.namespace,
      execution: { workflowId: row.temporal_workflow_id, runId: row.temporal_run_id },
      maximumPageSize: FIRST_EVENTS,
    })
    .catch(() => undefined);
  const events = res?.history?.events ?? [];
  const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  // A continued run (continue-as-new) has run; so has one whose first page is full of events.
  const ran =
    events.length >= FIRST_EVENTS ||
    events.some((e) => e.workflowTaskCompletedEventAttributes || e.workflowExecutionContinuedAsNewEventAttributes);
  return { input: defaultPayloadConverter.fromPayload<InterpreterInput>(payload), ran };
}

/** The closed run's end state, replayed by a worker (the latest run of a continue-as-new chain). */
async function redriveState(deps: RunDeps, row: WorkflowInstanceRow): Promise<RedriveState> {
  const handle = deps.temporal.workflow.getHandle(row.temporal_workflow_id);
  try {
    return await deps.temporal.connection.withDeadline(Date.now() + REPLAY_DEADLINE_MS, () =>
      handle.query(aosRedriveStateQuery),
    );
  } catch (err) {
    throw new AppError(
      503,
      'Service Unavailable',
      `Workflow instance ${row.id} could not be replayed to find its failed step (${(err as Error).message}); ` +
        'retry when a worker is running',
    );
  }
}

function toRedriveStart(s: RedriveState): RedriveStart {
  return {
    position: s.position ?? 0,
    vars: s.vars,
    stepOutputs: s.stepOutputs,
    completedSteps: s.completedSteps,
    bufferedEvents: s.bufferedEvents,
    seenEventIds: s.seenEventIds,
    lastOutput: s.lastOutput,
    ...(s.lastEvent && { lastEvent: s.lastEvent }),
    reuse: s.journal,
  };
}

/** Starts the new run through startRun, with the original's snapshot (or its pinned version) and lineage. */
async function startDerived(
  deps: RunDeps,
  row: WorkflowInstanceRow,
  original: InterpreterInput | undefined,
  kind: 'redrive' | 'rerun',
  extra: Pick<StartRunRequest, 'input' | 'inputPointer' | 'redrive'>,
): Promise<StartRunResult> {
  const req: StartRunRequest = {
    workflowId: row.definition_workflow_id,
    version: row.definition_version,
    ...(original && {
      snapshot: {
        definition: original.definition,
        tasks: original.tasks,
        definitionRowId: original.definitionRowId ?? row.workflow_definition_id,
      },
    }),
    ...(row.correlation_key !== null && { correlationKey: row.correlation_key }),
    ...((original?.trigger ?? row.trigger) && {
      trigger: (original?.trigger ?? row.trigger) as StartRunRequest['trigger'],
    }),
    ...(original?.options && { options: original.options }),
    origin: { instanceId: row.id, kind },
    ...extra,
  };
  try {
    return await startRun(deps, req);
  } catch (err) {
    // Two redrives at once: the unique index lets one insert; the other names it.
    if (kind === 'redrive' && isUniqueViolation(err)) await refuseRedriven(deps, row.id);
    throw err;
  }
}
