/**
 * Walks a step list: implicit next = the following step, explicit `next` for branches and loops; wraps
 * each step in its retry, timeout and catch handling. Used for the top level and for every nested block.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  isCancellation,
  log,
  setCurrentDetails,
  sleep,
} from '@temporalio/workflow';
import { parseDuration } from '../common/definitions/duration';
import type { Step } from '../common/definitions/types';
import { FailureType } from '../common/errors/catalogue';
import { stepBudget } from './block-limits';
import { withDeadline } from './deadline';
import { recordStep, type BlockRunner, type Frame, type RunState, type StepResult } from './runtime';
import {
  CANCELLED,
  failure,
  findCatch,
  findCatchWhen,
  markRaised,
  stepPointer,
  timeoutFailure,
  toStepError,
} from './step-errors';
import { evaluate } from './expressions';
import { executorFor } from './steps/registry';
import { pauseGate } from './pause';
import { enterTopStep, journalStep, nextJournalKey, reuseEntry } from './redrive';
import { toTemporalRetry } from './activities';
import { runMs } from './clock';
import { endStepSpan, inStepSpan, startStepSpan } from './tracing';

/** Called before each top-level step after the first of this run (continue-as-new checkpoint); undefined = go on. */
export type Checkpoint = (position: number) => Promise<void> | undefined;

/** Result of a list: the last step's output; `ended` when a succeed step finished it. */
export interface SequenceResult {
  output: unknown;
  ended: boolean;
}

// Steps that time themselves: task (activity timeouts) and wait_for_event (timeout + on_timeout).
const SELF_TIMED = new Set<Step['type']>(['task', 'wait_for_event']);

/** Runs `steps` from `start` until the list ends, a succeed step ends it, or a step fails uncaught. */
export async function runSequence(
  steps: Step[],
  run: RunState,
  frame: Frame,
  start = 0,
  checkpoint?: Checkpoint,
): Promise<SequenceResult> {
  const index = new Map(steps.map((s, i) => [s.id, i] as const));
  let output: unknown = null;
  for (let i = start, first = true; i < steps.length; first = false) {
    // Awaited only when it continues as new: every promise in the sandbox costs a stack capture.
    const pending = checkpoint && !first ? checkpoint(i) : undefined;
    if (pending) await pending;
    const step = steps[i];
    if (frame.top) enterTopStep(run, i, first);
    const result = await runStep(step, run, frame);
    output = result.output;
    if (frame.top) run.lastOutput = output;
    if (result.end) return { output, ended: true };
    if (result.compensateFrom !== undefined) {
      // A catch for Cancelled: the handler path runs shielded from the cancellation, then the run ends cancelled.
      await CancellationScope.nonCancellable(() =>
        runSequence(steps, run, { ...frame, top: false }, indexOf(index, result.compensateFrom as string, step)),
      );
      throw result.cancellation;
    }
    const target = result.next ?? step.next;
    i = target === undefined ? i + 1 : indexOf(index, target, step);
  }
  return { output, ended: false };
}

/** The block runner handed to executors of nested blocks. */
export const runBlock: BlockRunner = (steps, run, frame) => runSequence(steps, run, frame);

function indexOf(index: Map<string, number>, target: string, from: Step): number {
  const i = index.get(target);
  // Validation rejects this before a run starts; a definition that slipped through fails clearly.
  if (i === undefined)
    throw failure(FailureType.InvalidDefinition, `step "${from.id}" goes to unknown step "${target}"`);
  return i;
}

interface GuardedResult extends StepResult {
  compensateFrom?: string;
  cancellation?: unknown;
}

async function runStep(step: Step, run: RunState, frame: Frame): Promise<GuardedResult> {
  // Nested executions are journaled; a redriven run takes the failed run's finished ones instead of running them.
  const key = frame.top ? undefined : nextJournalKey(run, frame, step.id);
  const reused = key === undefined ? undefined : run.reuse?.[key];
  if (reused) return reuseEntry(step, run, frame, key as string, reused);
  // Awaited only when the workflow task has run its step budget (no promise otherwise).
  const turn = stepBudget(run);
  if (turn) await turn;
  // An operator's pause holds the step here, before it starts (no promise unless paused).
  const held = pauseGate(run);
  if (held) await held;
  run.current.set(step.id, (run.current.get(step.id) ?? 0) + 1);
  run.trail?.steps.push(step.id);
  setCurrentDetails(`steps: ${[...run.current.keys()].join(', ')}`);
  const span = startStepSpan(step, run);
  let failed: unknown;
  try {
    // inStepSpan calls its function synchronously: the same promises, in the same order, as without a span.
    const result = await inStepSpan(span, () =>
      withRetry(step, run, () => withStepTimeout(step, run, () => executorFor(step)(step, run, frame, runBlock))),
    );
    recordStep(run, frame, step.id, { output: result.output });
    if ('result_var' in step && step.result_var) run.vars[step.result_var] = result.output;
    if (key !== undefined) journalStep(run, key, { output: result.output }, result);
    return result;
  } catch (err) {
    failed = err;
    if (err instanceof ContinueAsNew) throw err;
    markRaised(err, stepPointer(run.input.definition, step));
    const error = toStepError(err);
    // Clauses with `when` need an evaluation (a promise); the others are matched without one.
    const clause = step.catch?.some((c) => c.when !== undefined)
      ? await findCatchWhen(step.catch, error, (when, e) =>
          evaluate(when, run, frame, `step "${step.id}" catch when`, { error: e }),
        )
      : findCatch(step.catch, error);
    if (!clause) throw err;
    log.info('step failed, caught', { stepId: step.id, errorType: error.type, next: clause.next });
    recordStep(run, frame, step.id, { error });
    if (clause.into) run.vars[clause.into] = error;
    if (error.type === CANCELLED) return { output: error, compensateFrom: clause.next, cancellation: err };
    if (key !== undefined) journalStep(run, key, { error }, { next: clause.next });
    return { output: error, next: clause.next };
  } finally {
    endStepSpan(span, failed);
    const left = (run.current.get(step.id) ?? 1) - 1;
    if (left > 0) run.current.set(step.id, left);
    else run.current.delete(step.id);
  }
}

function withStepTimeout(step: Step, run: RunState, fn: () => Promise<StepResult>): Promise<StepResult> {
  if (step.timeout === undefined || SELF_TIMED.has(step.type)) return fn();
  return withDeadline(
    runMs(run.input.options, parseDuration(step.timeout)),
    fn,
    () => timeoutFailure(`step "${step.id}"`),
    `${step.id}: timeout`,
  );
}

/** Retries non-task steps as a whole (task steps retry inside Temporal's activity retry instead). */
function withRetry(step: Step, run: RunState, fn: () => Promise<StepResult>): Promise<StepResult> {
  return !step.retry || step.type === 'task' ? fn() : retrying(step.retry, fn, step.id, run.input.options?.timeScale);
}

async function retrying(
  retry: NonNullable<Step['retry']>,
  fn: () => Promise<StepResult>,
  stepId: string,
  timeScale: number | undefined,
): Promise<StepResult> {
  const policy = toTemporalRetry(retry, undefined, timeScale);
  let interval = Number(policy.initialInterval);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const error = toStepError(err);
      const exhausted = policy.maximumAttempts !== 0 && attempt >= (policy.maximumAttempts ?? 1);
      if (
        exhausted ||
        isCancellation(err) ||
        err instanceof ContinueAsNew ||
        (err instanceof ApplicationFailure && err.nonRetryable) ||
        policy.nonRetryableErrorTypes?.includes(error.type)
      )
        throw err;
      log.info('step failed, retrying', { stepId, attempt, errorType: error.type, intervalMs: interval });
      await sleep(interval, { summary: `${stepId}: retry ${attempt + 1}` });
      interval = Math.min(
        interval * (policy.backoffCoefficient ?? 2),
        policy.maximumInterval !== undefined ? Number(policy.maximumInterval) : Infinity,
      );
    }
  }
}
