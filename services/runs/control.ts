/** Cancel, terminate, an event sent to one run, and the live-state query of a run, addressed by its workflow_instances id. */
import type { InterpreterState } from '../../common/definitions/types';
import { AppError, FailureType } from '../../common/errors';
import {
  closeOpenWorkflowInstance,
  getWorkflowInstance,
  TERMINAL_WORKFLOW_STATUSES,
  type WorkflowInstanceRow,
} from '../../db/repositories/workflow-instances';
import { randomUUID } from 'node:crypto';
import { aosEventSignal, aosStateQuery } from '../../workflows/api';
import type { RunDeps } from './deps';
import { recordControl, type Actor } from './control-history';
import { recordRunClosed } from '../observability/metrics';
import { closeQueued, promoteAfterClose } from './flow-control';

const QUERY_DEADLINE_MS = 5_000;

/** The instance row, or 404. */
export async function getRunRow(deps: Pick<RunDeps, 'db'>, instanceId: string): Promise<WorkflowInstanceRow> {
  const row = await getWorkflowInstance(deps.db, instanceId);
  if (!row) throw AppError.notFound(`Workflow instance ${instanceId} not found`);
  return row;
}

function assertOpen(row: WorkflowInstanceRow, verb: string): void {
  if (TERMINAL_WORKFLOW_STATUSES.includes(row.status))
    throw AppError.conflict(`Workflow instance ${row.id} is already ${row.status}; cannot ${verb} it`);
}

/** Requests cancellation: the interpreter cancels running activities, lets catch paths run, and mirrors `cancelled`. */
export async function cancelRun(
  deps: RunDeps,
  instanceId: string,
  actor?: Actor,
  details: Record<string, unknown> = {},
): Promise<WorkflowInstanceRow> {
  let row = await getRunRow(deps, instanceId);
  assertOpen(row, 'cancel');
  // A queued start (flow control) has no Temporal run: its row is closed here, unless it was promoted meanwhile.
  if (row.status === 'queued') {
    const closed = await closeQueued(deps, row, 'cancelled');
    if (closed) {
      await recordControl(deps.db, row.id, 'cancel', actor, { ...details, was_queued: true });
      return closed;
    }
    row = await getRunRow(deps, instanceId);
    assertOpen(row, 'cancel');
  }
  await deps.temporal.workflow.getHandle(row.temporal_workflow_id).cancel();
  await recordControl(deps.db, row.id, 'cancel', actor, details);
  return row;
}

/** An event an operator sends to one run (`POST /workflow-instances/{id}/events`). */
export interface DirectedEvent {
  event: string;
  payload?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** Compared with the waiting step's correlation [the run's correlation key]. */
  correlation?: string;
  /** Repeating a request with the same id delivers nothing twice (the run ignores an event id it has seen). */
  event_id?: string;
}

/** What was delivered. */
export interface DirectedEventResult {
  event_id: string;
  instance_id: string;
  workflow_id: string;
  pattern: string;
  correlation: string | null;
  sent_by: string | null;
  sent_at: string;
}

/**
 * Sends an event straight to one open run, as the `aosEvent` signal event routing sends (no event row, no routing to
 * triggers or other runs). A wait takes it when its pattern matches and its correlation equals `correlation`
 * (default: the run's correlation key); until then the run keeps it like any early event.
 */
export async function sendEventToRun(
  deps: RunDeps,
  instanceId: string,
  body: DirectedEvent,
  sentBy?: string,
  actor?: Actor,
): Promise<DirectedEventResult> {
  const row = await getRunRow(deps, instanceId);
  assertOpen(row, 'send an event to');
  const eventId = body.event_id ?? randomUUID();
  const correlation = body.correlation ?? row.correlation_key ?? undefined;
  const sentAt = new Date().toISOString();
  await deps.temporal.workflow.getHandle(row.temporal_workflow_id).signal(aosEventSignal, {
    eventId,
    pattern: body.event,
    payload: body.payload ?? {},
    metadata: {
      ...body.metadata,
      ...(correlation !== undefined && { correlationKey: correlation }),
      directedTo: row.id,
      ...(sentBy && { sentBy }),
      sentAt,
    },
  });
  await recordControl(deps.db, row.id, 'event', actor ?? (sentBy ? { username: sentBy } : undefined), {
    event: body.event,
    event_id: eventId,
    ...(correlation !== undefined && { correlation }),
  });
  return {
    event_id: eventId,
    instance_id: row.id,
    workflow_id: row.temporal_workflow_id,
    pattern: body.event,
    correlation: correlation ?? null,
    sent_by: sentBy ?? null,
    sent_at: sentAt,
  };
}

/**
 * Terminates at once (no cleanup runs). The interpreter gets no chance to mirror it, so the row is written
 * here; the reconciler would find it too.
 */
export async function terminateRun(
  deps: RunDeps,
  instanceId: string,
  reason?: string,
  actor?: Actor,
): Promise<WorkflowInstanceRow> {
  let row = await getRunRow(deps, instanceId);
  assertOpen(row, 'terminate');
  const why = reason ?? 'terminated through the API';
  if (row.status === 'queued') {
    const closed = await closeQueued(deps, row, 'terminated', why);
    if (closed) {
      await recordControl(deps.db, row.id, 'terminate', actor, { reason: why, queued: true });
      return closed;
    }
    row = await getRunRow(deps, instanceId);
    assertOpen(row, 'terminate');
  }
  await deps.temporal.workflow.getHandle(row.temporal_workflow_id).terminate(why);
  const updated = await closeOpenWorkflowInstance(deps.db, row.id, {
    status: 'terminated',
    error: { type: FailureType.Terminated, message: why },
    completedAt: new Date(),
  });
  if (updated) recordRunClosed(updated);
  await recordControl(deps.db, row.id, 'terminate', actor, { ...(reason !== undefined && { reason }) });
  // Its slot (flow control) is free: queued starts may begin (a failure here is left to the reconcile sweep).
  await promoteAfterClose(deps, row.id).catch(() => 0);
  return updated ?? (await getRunRow(deps, instanceId));
}

/** A run's state: the interpreter's, or the mirror's (`queued`: a start waiting for its concurrency limit). */
export type RunStateAnswer = Omit<InterpreterState, 'status'> & {
  status: InterpreterState['status'] | 'queued';
  source: 'temporal' | 'mirror';
};

/**
 * Live state from the interpreter's `aosState` query. A closed run answers from the mirror (querying it
 * would need a worker to replay the whole history), unless `replayClosed` asks for its final state from
 * Temporal (the steps it completed, which the mirror keeps only for task steps): the mirror's answer is then
 * the fallback when the query fails (no worker, history gone). A queued run (flow control) has no Temporal run
 * yet: the mirror answers `queued`.
 */
export async function queryRunState(
  deps: RunDeps,
  instanceId: string,
  opts: { replayClosed?: boolean } = {},
): Promise<RunStateAnswer> {
  const row = await getRunRow(deps, instanceId);
  if (row.status === 'queued')
    return { status: 'queued', currentSteps: [], completedSteps: [], variables: row.variables ?? {}, source: 'mirror' };
  const closed = TERMINAL_WORKFLOW_STATUSES.includes(row.status);
  const fromMirror = (): InterpreterState & { source: 'mirror' } => {
    const status = (
      ['completed', 'failed'].includes(row.status) ? row.status : 'cancelled'
    ) as InterpreterState['status'];
    return { status, currentSteps: [], completedSteps: [], variables: row.variables ?? {}, source: 'mirror' };
  };
  if (closed && !opts.replayClosed) return fromMirror();
  const handle = deps.temporal.workflow.getHandle(row.temporal_workflow_id);
  const query = deps.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
    handle.query(aosStateQuery),
  );
  const state = closed ? await query.catch(() => undefined) : await query;
  if (!state) return fromMirror();
  return { ...state, source: 'temporal' };
}
