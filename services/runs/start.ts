/**
 * startRun: the one way runs begin (API, event triggers, scripts). Resolves the definition snapshot,
 * validates the input, writes the pending workflow_instances row, then starts `interpreterWorkflow`.
 *
 * Idempotency: with a business key (or an explicit workflow id) the Temporal workflow id is deterministic,
 * and the row's UNIQUE temporal_workflow_id is the gate: a duplicate start finds the existing row and answers
 * with that run (started: false). Temporal's REJECT_DUPLICATE reuse policy is the second gate, for a run
 * whose row is gone. No half-written rows: when the start fails the pending row is deleted.
 *
 * Exclusive starts (`exclusive: true`, event triggers with on_running skip/signal): the pending row counts as
 * live, so checking for other live runs of the definition with the same correlation key and inserting the
 * row happen in one transaction under an advisory lock on (definition, correlation key); see insertExclusive.
 *
 * Flow control: a definition with `concurrency` is admitted by flow-control.ts (under its own lock: started, queued
 * with status `queued`, or refused); `priority` goes to Temporal with the start.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors';
import {
  DEFAULT_PAYLOAD_LIMIT_BYTES,
  oversize,
  PAYLOAD_TOO_LARGE,
  payloadTooLargeMessage,
} from '../../common/payload-size';
import type { ResolvedDefinition } from '../../common/definitions/activity-types';
import type {
  InterpreterInput,
  InterpreterOptions,
  RedriveStart,
  TriggerContext,
} from '../../common/definitions/types';
import {
  deletePendingWorkflowInstance,
  findActiveByCorrelation,
  getWorkflowInstanceByTemporalId,
  insertWorkflowInstance,
  lockCorrelationStarts,
  markRunStarted,
  type WorkflowInstanceInsert,
} from '../../db/repositories/workflow-instances';
import { INTERPRETER_WORKFLOW_TYPE, type InterpreterWorkflow } from '../../workflows/api';
import { resolveDefinition } from '../definitions/resolve';
import type { RunDeps } from './deps';
import { checkRunInput } from './input-check';
import { runSearchAttributes } from '../../common/search-attributes';
import { runsStarted } from '../observability/metrics';
import { recordStart, systemActor, type Actor } from './control-history';
import { admitLimitedStart, afterQueued, promoteQueued, queuedStartRequest, runLimitOf } from './flow-control';
import { cancelRun } from './control';

/** A start request. */
export interface StartRunRequest {
  /** Definition business id (workflow_definitions.workflow_id). */
  workflowId: string;
  /** Pinned version; default the highest active one. */
  version?: string;
  input: unknown;
  /** Makes the start idempotent: workflow id `${workflowId}:${businessKey}`. */
  businessKey?: string;
  correlationKey?: string;
  trigger?: TriggerContext;
  /**
   * Username of the caller starting the run (API starts): recorded as `trigger.startedBy`, which the human_task
   * step's self-approval rule reads.
   */
  startedBy?: string;
  /** Explicit Temporal workflow id (event triggers dedupe by event + trigger); wins over businessKey. */
  temporalWorkflowId?: string;
  options?: InterpreterOptions;
  /** JSON-pointer prefix of input errors (the API uses `/body/input`). */
  inputPointer?: string;
  /** Who starts it, for the control history [`system:<trigger kind>`]. */
  actor?: Actor;
  /** Set to true only through {@link ExclusiveStartRequest}. */
  exclusive?: false;
  /** Redrive and rerun (services/runs/redrive.ts): the snapshot to run instead of resolving one, and the lineage. */
  snapshot?: ResolvedDefinition;
  origin?: { instanceId: string; kind: 'redrive' | 'rerun' };
  /** A redrive: begin at the failed run's step in progress (InterpreterInput.redrive). */
  redrive?: RedriveStart;
}

/**
 * A start that does not happen while another live (pending/running/waiting) run of the definition has the
 * same correlation key: the answer then names those runs instead (event triggers with on_running skip/signal).
 */
export interface ExclusiveStartRequest extends Omit<StartRunRequest, 'correlationKey' | 'exclusive'> {
  correlationKey: string;
  exclusive: true;
}

/** The run that answered. */
export interface StartRunResult {
  /**
   * `started` = this call started the run; `duplicate` = the existing run of the same workflow id answered;
   * `queued` = the definition's concurrency limit is reached and the start waits its turn (flow-control.ts).
   */
  outcome: 'started' | 'duplicate' | 'queued';
  instanceId: string;
  workflowId: string;
  /** Temporal's run id; '' while the run is queued (no Temporal run yet). */
  runId: string;
  /** false = an existing run answered (duplicate start). */
  started: boolean;
}

/** An exclusive start found other live runs of the definition with its correlation key and started nothing. */
export interface LiveRunsFound {
  outcome: 'live';
  /** Their Temporal workflow ids; each has been started in Temporal (has a run id). */
  liveWorkflowIds: string[];
}

/** How long a start waits for a concurrent start (same id, or a live run it defers to) to record its run. */
const WINNER_WAIT_MS = 10_000;

/**
 * The run already registered under a deterministic id. A row without a run id means another start of the
 * same id is in flight (row inserted, Temporal start not yet answered): wait for it to record the run, so
 * both callers answer with the same run. `undefined` = no row (none yet, or the other start failed).
 */
async function existing(deps: RunDeps, temporalWorkflowId: string): Promise<StartRunResult | undefined> {
  const deadline = Date.now() + WINNER_WAIT_MS;
  for (;;) {
    const row = await getWorkflowInstanceByTemporalId(deps.db, temporalWorkflowId);
    if (!row) return undefined;
    // Queued by flow control (or closed while queued): no Temporal run to wait for; the row answers.
    if (!row.temporal_run_id && row.status !== 'pending')
      return { outcome: 'duplicate', instanceId: row.id, workflowId: temporalWorkflowId, runId: '', started: false };
    if (row.temporal_run_id)
      return {
        outcome: 'duplicate',
        instanceId: row.id,
        workflowId: temporalWorkflowId,
        runId: row.temporal_run_id,
        started: false,
      };
    if (Date.now() > deadline) {
      // The starter died between its insert and Temporal's answer: Temporal knows whether the run exists.
      const d = await deps.temporal.workflow
        .getHandle(temporalWorkflowId)
        .describe()
        .catch(() => undefined);
      if (d)
        return {
          outcome: 'duplicate',
          instanceId: row.id,
          workflowId: temporalWorkflowId,
          runId: d.runId,
          started: false,
        };
      throw new AppError(
        503,
        'Service Unavailable',
        `A start of ${temporalWorkflowId} is pending without a run; retry shortly (the reconciler resolves it)`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

type LiveRow = { temporal_workflow_id: string; temporal_run_id: string | null; status?: string };

/**
 * The insert of an exclusive start, in one transaction: a transaction-scoped advisory lock on (definition
 * business id, correlation key) serialises the exclusive starts of that pair; under it, the other live runs
 * of the pair are read (their committed pending rows included: READ COMMITTED reads after the lock was
 * granted) and the pending row is inserted only when there are none. The lock is the two-int form over
 * `hashtext` of each value: a hash collision between two pairs only serialises their starts (the read uses
 * the real values, so it never finds a wrong run), and the two-int key space is apart from the one-bigint
 * locks used elsewhere. Starts that are not exclusive (API, on_running start) take no lock; their runs count
 * as live once their pending row is committed.
 */
async function insertExclusive(
  db: Knex,
  values: WorkflowInstanceInsert & { correlation_key: string },
): Promise<{ created: boolean } | { live: LiveRow[] }> {
  return db.transaction(async (trx) => {
    await lockCorrelationStarts(trx, values.definition_workflow_id, values.correlation_key);
    const live = (await findActiveByCorrelation(trx, values.definition_workflow_id, values.correlation_key)).filter(
      (r) => r.temporal_workflow_id !== values.temporal_workflow_id,
    );
    return live.length > 0 ? { live } : insertWorkflowInstance(trx, values);
  });
}

/**
 * The answer naming the live runs found. A live row without a run id is a start in flight: wait for it (as a
 * duplicate start does), so the caller can signal it. `undefined` = such a start failed (row gone): decide again.
 */
async function liveRunsFound(deps: RunDeps, live: LiveRow[]): Promise<LiveRunsFound | undefined> {
  const answered = await Promise.all(
    live.filter((r) => !r.temporal_run_id).map((r) => existing(deps, r.temporal_workflow_id)),
  );
  if (answered.some((a) => a === undefined)) return undefined;
  // A queued run (flow control) is live, so no second run starts for the key, but has no Temporal run to signal.
  return {
    outcome: 'live',
    liveWorkflowIds: live.filter((r) => r.status !== 'queued').map((r) => r.temporal_workflow_id),
  };
}

/** The run's interpreter options: the request's, plus the payload limit when the deployment changed it. */
function runOptions(deps: RunDeps, options: InterpreterOptions | undefined): InterpreterOptions | undefined {
  const limit = deps.config.temporalPayloadLimitBytes;
  if (limit === undefined || limit === DEFAULT_PAYLOAD_LIMIT_BYTES || options?.payloadLimitBytes !== undefined)
    return options;
  return { ...options, payloadLimitBytes: limit };
}

/**
 * 422 before anything is written when Temporal would refuse the start: the start input carries the
 * definition and task snapshots besides the run's input, so it is measured whole, as the client encodes it.
 */
function checkStartInputSize(deps: RunDeps, input: InterpreterInput, pointer: string): void {
  const limit = deps.config.temporalPayloadLimitBytes ?? DEFAULT_PAYLOAD_LIMIT_BYTES;
  const size = oversize(defaultPayloadConverter, [input], limit);
  if (size === undefined) return;
  const message = payloadTooLargeMessage(
    'the start input (run input with the definition and task snapshots)',
    size,
    limit,
  );
  throw AppError.unprocessable(`${PAYLOAD_TOO_LARGE}: ${message}`, [{ pointer, message }]);
}

/** Starts a run, or answers with the existing one for a duplicate business key or workflow id. */
export function startRun(deps: RunDeps, req: StartRunRequest): Promise<StartRunResult>;
/** Starts a run unless other live runs of the definition share its correlation key (then names them). */
export function startRun(deps: RunDeps, req: ExclusiveStartRequest): Promise<StartRunResult | LiveRunsFound>;
export function startRun(
  deps: RunDeps,
  req: StartRunRequest | ExclusiveStartRequest,
): Promise<StartRunResult | LiveRunsFound>;
export async function startRun(
  deps: RunDeps,
  req: StartRunRequest | ExclusiveStartRequest,
): Promise<StartRunResult | LiveRunsFound> {
  const { definition, tasks, definitionRowId } =
    req.snapshot ?? (await resolveDefinition(deps.db, req.workflowId, req.version));
  checkRunInput(definitionRowId, definition.input_schema, req.input, req.inputPointer ?? '/input');
  const instanceId = randomUUID();
  const deterministic =
    req.temporalWorkflowId ?? (req.businessKey ? `${definition.workflow_id}:${req.businessKey}` : undefined);
  const workflowId = deterministic ?? `${definition.workflow_id}:${instanceId}`;
  if (deterministic) {
    const found = await existing(deps, workflowId);
    if (found) return found;
  }
  const trigger: TriggerContext = {
    ...(req.trigger ?? { kind: 'api' }),
    ...(req.startedBy !== undefined && { startedBy: req.startedBy }),
  };
  const values: WorkflowInstanceInsert = {
    id: instanceId,
    temporal_workflow_id: workflowId,
    workflow_definition_id: definitionRowId,
    definition_workflow_id: definition.workflow_id,
    definition_version: definition.version,
    status: 'pending',
    input: req.input ?? null,
    correlation_key: req.correlationKey ?? null,
    business_key: req.businessKey ?? null,
    trigger: trigger as unknown as Record<string, unknown>,
    parent_instance_id: trigger.parentInstanceId ?? null,
    mirror_seq: 0,
    // What the interpreter's start marker used to write: the run starts with the definition's variables.
    variables: (definition.vars as Record<string, unknown> | undefined) ?? {},
    current_steps: [],
    ...(req.origin && { origin_instance_id: req.origin.instanceId, origin_kind: req.origin.kind }),
  };
  const options = runOptions(deps, req.options);
  const input: InterpreterInput = {
    instanceId,
    definitionRowId,
    definition,
    tasks,
    input: req.input,
    ...(req.correlationKey !== undefined && { correlationKey: req.correlationKey }),
    trigger,
    ...(options && { options }),
    ...(req.redrive && { redrive: req.redrive }),
    // Mirrored below (markRunStarted), so the run writes no start marker of its own.
    startMirrored: true,
  };
  checkStartInputSize(deps, input, req.inputPointer ?? '/input');
  const limit = await runLimitOf(definition, req.input, req.inputPointer ?? '/input');
  const priority = definition.priority;
  if (priority !== undefined) values.priority = priority;
  const inserted = limit
    ? await admitLimitedStart(
        deps.db,
        values,
        limit,
        queuedStartRequest(deps.config.taskQueue, limit, input, req.businessKey),
        req.exclusive ? req.correlationKey : undefined,
      )
    : req.exclusive
      ? await insertExclusive(deps.db, { ...values, correlation_key: req.correlationKey })
      : await insertWorkflowInstance(deps.db, values);
  if ('live' in inserted) return (await liveRunsFound(deps, inserted.live)) ?? startRun(deps, req);
  if ('queued' in inserted) {
    // Asked for now, begun when its turn comes (recorded then as `dequeue` by flow control).
    await recordStart(deps.db, instanceId, req.actor, trigger);
    await afterQueued(deps, instanceId, inserted, (id, details) =>
      cancelRun(deps, id, systemActor('flow-control'), details),
    );
    return { outcome: 'queued', instanceId, workflowId, runId: '', started: false };
  }
  const { created } = inserted;
  // Lost the insert race to a concurrent start of the same id; if that start failed (row gone), try again.
  if (!created) return (await existing(deps, workflowId)) ?? startRun(deps, req);

  // The row's started_at until the run's first mirror write replaces it with Temporal's start time: taken before
  // the start request, so (clock skew aside) not later than Temporal's, whereas a time taken after the answer can
  // be later than the end of a run that finished meanwhile.
  const requestedAt = new Date();
  try {
    const handle = await deps.temporal.workflow.start<InterpreterWorkflow>(INTERPRETER_WORKFLOW_TYPE, {
      taskQueue: deps.config.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: runSearchAttributes(
        definition.workflow_id,
        definition.version,
        trigger,
        req.correlationKey,
      ),
      memo: { instanceId },
      staticSummary: `${definition.name} ${definition.version}${req.businessKey ? ` (${req.businessKey})` : ''}`,
      staticDetails: `Definition **${definition.workflow_id}@${definition.version}**, trigger ${trigger.kind}, instance ${instanceId}`,
      ...(priority !== undefined && { priority: { priorityKey: priority } }),
    });
    await markRunStarted(deps.db, instanceId, handle.firstExecutionRunId, requestedAt);
    runsStarted.inc({ definition: definition.workflow_id });
    await recordStart(deps.db, instanceId, req.actor, trigger);
    return { outcome: 'started', instanceId, workflowId, runId: handle.firstExecutionRunId, started: true };
  } catch (err) {
    await deletePendingWorkflowInstance(deps.db, instanceId);
    // Its slot is free again: a queued start may take it (the reconcile loop's sweep would, later).
    if (limit) await promoteQueued(deps, limit).catch(() => undefined);
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // Temporal has a run under this id but the mirror had no row: answer with Temporal's run.
    const d = await deps.temporal.workflow.getHandle(workflowId).describe();
    return {
      outcome: 'duplicate',
      instanceId: String(d.memo?.instanceId ?? ''),
      workflowId,
      runId: d.runId,
      started: false,
    };
  }
}
