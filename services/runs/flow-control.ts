/**
 * Run flow control (#15): a workflow definition's `concurrency` limit, kept in PostgreSQL because Temporal has no
 * limit per workflow type (docs/runs.md, "Concurrency limits and priority").
 *
 * - A start of a limited definition is admitted under an advisory lock on (definition business id, key): below
 *   the limit (open runs plus queued starts) its row is inserted as usual and the run starts; when full the
 *   definition's `when_full` decides: `queue` (a `queued` row with its place, `queue_seq`, and the
 *   `start_request` that starts it later), `reject` (409, nothing written), `cancel_oldest` (the oldest open run
 *   is cancelled and the start queued first).
 * - Promotion (run-promotion.ts) starts queued rows in `queue_seq` order while the pair is below its limit, each
 *   in one transaction under the same lock; the row's `queued` status is the guard, so each is started once
 *   whoever promotes. Called when a run of a limited pair closes (the mirror's terminal write, terminate) and by
 *   the reconcile loop's sweep, which covers a crash between a close and its promotion.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { bareExpression } from '../../common/definitions/expression-check';
import type { InterpreterInput, WorkflowDefinition } from '../../common/definitions/types';
import { AppError, FailureType } from '../../common/errors';
import { describeFailure, evaluate } from '../../common/expressions/engine';
import {
  closeQueuedRun,
  countPair,
  insertLimitedRun,
  lockRunConcurrency,
  nextQueueSeq,
  nthOldestOpen,
  type ConcurrencyPair,
} from '../../db/repositories/run-queue';
import {
  findActiveByCorrelation,
  lockCorrelationStarts,
  type WorkflowInstanceInsert,
  type WorkflowInstanceRow,
} from '../../db/repositories/workflow-instances';
import { promoteQueued } from './run-promotion';

export { promoteAfterClose, promoteQueued, sweepRunQueues } from './run-promotion';

/** What flow control needs: the database and a Temporal client (workers and the API both have them). */
export type FlowDeps = { db: Knex; temporal: Client };

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
  cancel: (instanceId: string, details: Record<string, unknown>) => Promise<unknown>,
): Promise<void> {
  const victim = admission.cancel;
  if (victim) {
    // A victim that closed meanwhile (409) or whose start is still in flight (no Temporal run yet) frees its slot anyway.
    // The cancel records itself in the victim's control history, naming the queued start that displaced it.
    await cancel(victim.id, { reason: 'cancel_oldest', queued: instanceId }).catch(() => undefined);
  }
  // The start is recorded: a promotion that fails now (Temporal unreachable) is the sweep's to retry.
  if (admission.promoteNow) await promoteQueued(deps, admission.limit).catch(() => 0);
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
