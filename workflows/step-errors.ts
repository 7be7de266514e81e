/**
 * Error names as `catch` sees them. Temporal wraps failures (ActivityFailure -> ApplicationFailure,
 * ChildWorkflowFailure -> ...); definitions name the meaningful inner kind instead:
 * the ApplicationFailure `type`, or `Timeout`, `Cancelled`, `Terminated`.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  log,
  TerminatedFailure,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { CatchClause, Step, StepError, WorkflowDefinition } from '../common/definitions/types';
import { FailureType } from '../common/errors/catalogue';
import { createFailure } from '../common/errors/failures';

/** Error name of a step timeout, activity timeout or workflow timeout. */
export const TIMEOUT = FailureType.Timeout;
/** Error name of a cancellation (workflow cancelled, or an enclosing block cancelled/timed out). */
export const CANCELLED = FailureType.Cancelled;

function unwrap(err: unknown): unknown {
  if ((err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) && err.cause) return err.cause;
  return err;
}

/** Each step object of a definition -> its JSON pointer (`/steps/1/branches/0/steps/2`); filled once per definition. */
const pointers = new WeakMap<object, string>();
const walked = new WeakSet<object>();

function walk(steps: Step[], at: string): void {
  steps.forEach((step, i) => {
    const ptr = `${at}/steps/${i}`;
    pointers.set(step, ptr);
    if (step.type === 'parallel') step.branches.forEach((b, j) => walk(b.steps, `${ptr}/branches/${j}`));
    else if (step.type === 'foreach') walk(step.steps, ptr);
  });
}

/** The JSON pointer of `step` in `definition` (where errors it raises say they came from). */
export function stepPointer(definition: WorkflowDefinition, step: Step): string | undefined {
  if (!walked.has(definition)) {
    walked.add(definition);
    walk(definition.steps, '');
  }
  return pointers.get(step);
}

/**
 * Where each failure was raised: the innermost step whose execution it escaped first. Enclosing blocks rethrow
 * the same object, so the mark survives to their catch clauses and to the run's own failure.
 */
const raisedAt = new WeakMap<object, string>();

/** Marks `err` as raised by the step at `pointer`, unless an inner step did already. */
export function markRaised(err: unknown, pointer: string | undefined): void {
  if (pointer !== undefined && err !== null && typeof err === 'object' && !raisedAt.has(err))
    raisedAt.set(err, pointer);
}

/** The HTTP status an HTTP failure carries in its details (`UnexpectedStatus`: `{ status, body }`). */
function httpStatus(details: unknown): number | undefined {
  const status = (details as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

/** Classifies any thrown value into the `{ type, message, details, instance, status }` shape catch clauses match. */
export function toStepError(err: unknown): StepError {
  const error = classify(err);
  const instance = err !== null && typeof err === 'object' ? raisedAt.get(err) : undefined;
  return instance === undefined ? error : { ...error, instance };
}

function classify(err: unknown): StepError {
  const inner = unwrap(err);
  if (inner instanceof ApplicationFailure) {
    const details = inner.details?.length ? (inner.details.length === 1 ? inner.details[0] : inner.details) : undefined;
    const status = inner.type === FailureType.UnexpectedStatus ? httpStatus(details) : undefined;
    return {
      type: inner.type ?? FailureType.Error,
      message: inner.message,
      ...(details !== undefined && { details }),
      ...(status !== undefined && { status }),
    };
  }
  if (inner instanceof TimeoutFailure)
    return { type: TIMEOUT, message: inner.message || `timed out (${inner.timeoutType})` };
  if (inner instanceof CancelledFailure) return { type: CANCELLED, message: inner.message || 'cancelled' };
  if (inner instanceof TerminatedFailure)
    return { type: FailureType.Terminated, message: inner.message || 'terminated' };
  if (inner instanceof Error) return { type: inner.name || FailureType.Error, message: inner.message };
  return { type: FailureType.Error, message: String(inner) };
}

/** True when a clause's `errors` name `error` (`*` matches everything except cancellation). */
function names(clause: CatchClause, error: StepError): boolean {
  return clause.errors.includes(error.type) || (clause.errors.includes('*') && error.type !== CANCELLED);
}

/** The first catch clause that handles `error`, for clauses without `when` (no promise). */
export function findCatch(clauses: CatchClause[] | undefined, error: StepError): CatchClause | undefined {
  return clauses?.find((c) => names(c, error));
}

/**
 * The first catch clause that handles `error`, `when` expressions included (evaluated in order, with `$error`
 * bound, only for clauses whose `errors` match). A `when` that fails to evaluate does not match (logged).
 */
export async function findCatchWhen(
  clauses: CatchClause[],
  error: StepError,
  test: (when: string, error: StepError) => Promise<unknown>,
): Promise<CatchClause | undefined> {
  for (const clause of clauses) {
    if (!names(clause, error)) continue;
    if (clause.when === undefined) return clause;
    const verdict = await test(clause.when, error).catch((err: unknown) => {
      log.warn('catch "when" failed to evaluate: clause skipped', { message: (err as Error)?.message });
      return false;
    });
    if (verdict !== false && verdict !== null && verdict !== undefined && verdict !== 0 && verdict !== '')
      return clause;
  }
  return undefined;
}

/** A non-retryable failure of the given type (what the workflow fails with, and what a parent's catch sees). */
export function failure(type: string, message: string, details?: unknown, cause?: Error): ApplicationFailure {
  return createFailure(type, message, { nonRetryable: true, details, cause });
}

/** A step timeout. */
export function timeoutFailure(what: string): ApplicationFailure {
  return failure(TIMEOUT, `${what} timed out`);
}
