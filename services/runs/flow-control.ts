/**
 * Run flow control (#15): a workflow definition's `concurrency` limit, kept in PostgreSQL because Temporal has no
 * limit per workflow type (docs/runs.md, "Concurrency limits and priority").
 *
 * - A start of a limited definition is admitted under an advisory lock on (definition business id, key): below
 *   the limit (open runs plus queued starts) its row is inserted as usual and the run starts; when full the
 *   definition's `when_full` decides: `queue` (a `queued` row with its place, `queue_seq`, and the
 *   `start_request` that starts it later), `reject` (409, nothing written), `cancel_oldest` (the oldest open run
 *   is cancelled and the start queued first).
 * - Promotion starts queued rows in `queue_seq` order while the pair is below its limit, each in one transaction
 *   under the same lock; the row's `queued` status is the guard, so each is started once whoever promotes.
 *   Called when a run of a limited pair closes (the mirror's terminal write, terminate) and by the reconcile
 *   loop's sweep, which covers a crash between a close and its promotion.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Knex } from 'knex';
import { bareExpression } from '../../common/definitions/expression-check';
import type { InterpreterInput, TriggerContext, WorkflowDefinition } from '../../common/definitions/types';
import { AppError, FailureType } from '../../common/errors';
import { describeFailure, evaluate } from '../../common/expressions/engine';
import type { Logger } from '../../common/logger';
import { runSearchAttributes } from '../../common/search-attributes';
import {
  closeQueuedRun,
  countPair,
  insertLimitedRun,
  listQueuedPairs,
  lockQueueHead,
  lockRunConcurrency,
  markQueuedStarted,
  nextQueueSeq,
  nthOldestOpen,
  type ConcurrencyPair,
} from '../../db/repositories/run-queue';
import {
  findActiveByCorrelation,
  getWorkflowInstance,
  lockCorrelationStarts,
  type WorkflowInstanceInsert,
  type WorkflowInstanceRow,
} from '../../db/repositories/workflow-instances';
import { INTERPRETER_WORKFLOW_TYPE, type InterpreterWorkflow } from '../../workflows/api';
import { runsStarted } from '../observability/metrics';
import { recordControl, systemActor } from './control-history';

/** What flow control needs: the database and a Temporal client (workers and the API both have them). */
export type FlowDeps = { db: Knex; temporal: Client };

const ACTOR = systemActor('flow-control');
/** `concurrency_key` of a limited run whose definition's limit has no key. */
const NO_KEY = '';
const MAX_KEY_LENGTH = 512;

/** A limited start's pair and policy. */
export interface RunLimit extends ConcurrencyPair {
  limit: number;
  whenFull: 'queue' | 'reject' | 'cancel_oldest';
}

/**
 * The limit a start of `definition` is under (undefined = unlimited), its key evaluated over the input (`$` and
 * `$input`). A key that fails or is not a string, number or boolean is a 422 at `pointer`.
 */
export async function runLimitOf(
  definition: WorkflowDefinition,
  input: unknown,
  pointer: string,
): Promise<RunLimit | undefined> {
  const c = definition.concurrency;
  if (!c) return undefined;
  const base = { definitionWorkflowId: definition.workflow_id, limit: c.limit, whenFull: c.when_full ?? 'queue' };
  if (c.key === undefined) return { ...base, concurrencyKey: NO_KEY };
  const fail = (message: string) =>
    AppError.unprocessable(`The definition's concurrency key (${c.key}) ${message}`, [{ pointer, message }]);
  let value: unknown;
  try {
    value = await evaluate(bareExpression(c.key), input, { input });
  } catch (err) {
    throw fail(`failed over the input: ${describeFailure(err).message}`);
  }
  if (!['string', 'number', 'boolean'].includes(typeof value))
    throw fail(`must give a string, number or boolean; it gave ${value === undefined ? 'nothing' : typeof value}`);
  const key = String(value);
  if (key.length > MAX_KEY_LENGTH) throw fail(`gave a value longer than ${MAX_KEY_LENGTH} characters`);
  return { ...base, concurrencyKey: key };
}

/** What a queued row needs to start later (its `start_request`); the run's input is the row's `input`. */
export interface QueuedStartRequest {
  taskQueue: string;
  /** The limit the start was admitted under (promotion compares the pair's open runs with it). */
  limit: number;
  interpreter: Omit<InterpreterInput, 'input'>;
  definitionName: string;
  businessKey?: string;
  priority?: number;
}

/** The `start_request` of a start that may be queued: the start input without the run input (kept in `input`). */
export function queuedStartRequest(
  taskQueue: string,
  limit: RunLimit,
  input: InterpreterInput,
  businessKey?: string,
): QueuedStartRequest {
  const interpreter: Partial<InterpreterInput> = { ...input };
  delete interpreter.input;
  const priority = input.definition.priority;
  return {
    taskQueue,
    limit: limit.limit,
    interpreter: interpreter as Omit<InterpreterInput, 'input'>,
    definitionName: input.definition.name,
    ...(businessKey !== undefined && { businessKey }),
    ...(priority !== undefined && { priority }),
  };
}

/** Temporal's start options of a run (direct starts build the same in start.ts). */
function startOptions(workflowId: string, req: QueuedStartRequest, input: unknown): WorkflowStartOptions {
  const i = req.interpreter;
  const trigger: TriggerContext = i.trigger ?? { kind: 'api' };
  return {
    taskQueue: req.taskQueue,
    workflowId,
    args: [{ ...i, input } as InterpreterInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: runSearchAttributes(
      i.definition.workflow_id,
      i.definition.version,
      trigger,
      i.correlationKey,
    ),
    memo: { instanceId: i.instanceId },
    staticSummary: `${req.definitionName} ${i.definition.version}${req.businessKey ? ` (${req.businessKey})` : ''}`,
    staticDetails: `Definition **${i.definition.workflow_id}@${i.definition.version}**, trigger ${trigger.kind}, instance ${i.instanceId}`,
    ...(req.priority !== undefined && { priority: { priorityKey: req.priority } }),
  };
}

/** How a limited start was admitted. */
export type Admission =
  | { created: boolean }
  | { live: WorkflowInstanceRow[] }
  | { queued: true; limit: RunLimit; promoteNow: boolean; cancel?: WorkflowInstanceRow };

/**
 * The insert of a limited start, in one transaction: the exclusive-start check first when `correlationKey` is
 * given (its lock, then this one: always in that order), then under the pair's lock the open runs and queued
 * starts are counted, and the row is inserted pending (below the limit) or queued, or the start is refused.
 */
export function admitLimitedStart(
  db: Knex,
  values: WorkflowInstanceInsert,
  limit: RunLimit,
  request: QueuedStartRequest,
  correlationKey?: string,
): Promise<Admission> {
  return db.transaction(async (trx): Promise<Admission> => {
    if (correlationKey !== undefined) {
      await lockCorrelationStarts(trx, limit.definitionWorkflowId, correlationKey);
      const live = (await findActiveByCorrelation(trx, limit.definitionWorkflowId, correlationKey)).filter(
        (r) => r.temporal_workflow_id !== values.temporal_workflow_id,
      );
      if (live.length > 0) return { live };
    }
    await lockRunConcurrency(trx, limit);
    const { open, queued } = await countPair(trx, limit);
    const row = { ...values, concurrency_key: limit.concurrencyKey };
    if (open + queued < limit.limit) return { created: await insertLimitedRun(trx, row) };
    if (limit.whenFull === 'reject') throw AppError.conflict(fullMessage(limit, open, queued));
    const head = limit.whenFull === 'cancel_oldest';
    // Each queued cancel_oldest start has cancelled one run already: the next victim is the one after those.
    const cancel = head ? await nthOldestOpen(trx, limit, queued) : undefined;
    const queueSeq = await nextQueueSeq(trx, limit, head);
    const created = await insertLimitedRun(trx, {
      ...row,
      status: 'queued',
      queue_seq: queueSeq,
      start_request: request as unknown as Record<string, unknown>,
    });
    if (!created) return { created: false };
    return { queued: true, limit, promoteNow: open < limit.limit, ...(cancel && { cancel }) };
  });
}

function fullMessage(limit: RunLimit, open: number, queued: number): string {
  const key = limit.concurrencyKey === NO_KEY ? '' : ` with concurrency key "${limit.concurrencyKey}"`;
  return (
    `Concurrency limit reached: definition ${limit.definitionWorkflowId} allows ${limit.limit} open run(s)${key}; ` +
    `${open} open, ${queued} queued (when_full: reject)`
  );
}

/** After a queued admission: cancel the run it displaces (cancel_oldest), fill a free slot. Best effort. */
export async function afterQueued(
  deps: FlowDeps,
  instanceId: string,
  admission: Extract<Admission, { queued: true }>,
  cancel: (instanceId: string) => Promise<unknown>,
): Promise<void> {
  const victim = admission.cancel;
  if (victim) {
    // A victim that closed meanwhile (409) or whose start is still in flight (no Temporal run yet) frees its slot anyway.
    await cancel(victim.id).then(
      () => recordControl(deps.db, victim.id, 'cancel', ACTOR, { reason: 'cancel_oldest', queued: instanceId }),
      () => undefined,
    );
  }
  // The start is recorded: a promotion that fails now (Temporal unreachable) is the sweep's to retry.
  if (admission.promoteNow) await promoteQueued(deps, admission.limit).catch(() => 0);
}

/** Starts one queued row's Temporal run; a run already started under its id (a promoter that died) is adopted. */
async function startQueued(temporal: Client, row: WorkflowInstanceRow, req: QueuedStartRequest): Promise<string> {
  try {
    const handle = await temporal.workflow.start<InterpreterWorkflow>(
      INTERPRETER_WORKFLOW_TYPE,
      startOptions(row.temporal_workflow_id, req, row.input ?? undefined) as never,
    );
    return handle.firstExecutionRunId;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return (await temporal.workflow.getHandle(row.temporal_workflow_id).describe()).runId;
  }
}

/**
 * Promotes the pair's head while it is below the limit: under the lock, the head row (row-locked, so a cancel of
 * it waits) is started in Temporal and marked running in the same transaction. A Temporal error rolls back (the
 * row stays queued, for the next promoter). Returns how many started.
 */
export async function promoteQueued(deps: FlowDeps, pair: ConcurrencyPair): Promise<number> {
  let started = 0;
  for (;;) {
    const promoted = await deps.db.transaction(async (trx) => {
      await lockRunConcurrency(trx, pair);
      const head = await lockQueueHead(trx, pair);
      if (!head) return false;
      const req = head.start_request as unknown as QueuedStartRequest;
      const { open } = await countPair(trx, pair);
      if (open >= req.limit) return false;
      const at = new Date();
      const runId = await startQueued(deps.temporal, head, req);
      if (!(await markQueuedStarted(trx, head.id, runId, at))) return false;
      await recordControl(trx, head.id, 'dequeue', ACTOR, {
        queue_seq: head.queue_seq,
        waited_ms: at.getTime() - new Date(head.created_at).getTime(),
      });
      runsStarted.inc({ definition: pair.definitionWorkflowId });
      return true;
    });
    if (!promoted) return started;
    started += 1;
  }
}

/** After a run closed: when it was limited, promote its pair's queued starts. */
export async function promoteAfterClose(deps: FlowDeps, instanceId: string): Promise<number> {
  const row = await getWorkflowInstance(deps.db, instanceId);
  if (!row || row.concurrency_key == null) return 0;
  return promoteQueued(deps, { definitionWorkflowId: row.definition_workflow_id, concurrencyKey: row.concurrency_key });
}

/** The reconcile loop's safety sweep: promotes every pair with queued starts (a close whose promotion was lost). */
export async function sweepRunQueues(deps: FlowDeps, logger?: Logger, limit = 200): Promise<number> {
  let started = 0;
  for (const pair of await listQueuedPairs(deps.db, limit)) {
    try {
      started += await promoteQueued(deps, pair);
    } catch (err) {
      logger?.warn({ err, ...pair }, 'promotion of queued runs failed');
    }
  }
  return started;
}

/**
 * Cancels or terminates a queued row directly (it has no Temporal run). Undefined when it is no longer queued
 * (promoted meanwhile): the caller then acts on the started run.
 */
export function closeQueued(
  deps: Pick<FlowDeps, 'db'>,
  row: WorkflowInstanceRow,
  status: 'cancelled' | 'terminated',
  reason?: string,
): Promise<WorkflowInstanceRow | undefined> {
  const type = status === 'cancelled' ? FailureType.Cancelled : FailureType.Terminated;
  return closeQueuedRun(deps.db, row.id, status, { type, message: reason ?? `${status} while queued` });
}
