/**
 * `wait_for_event` with `events` (#16): waits for any one of several patterns (`mode: "any"`), for one event of
 * each (`mode: "all"`, in any order), or keeps taking matching events `until` a condition over them holds or a
 * closing event arrives (Serverless Workflow's `listen` with `to.any` / `to.all` / `until`). Each pattern has its
 * own correlation and its own subscription (with its look-back, as a single wait); events that arrived earlier are
 * taken from the run's buffer in arrival order. When the wait ends every subscription is closed: `matched` for a
 * pattern that took an event, `cancelled` for the others (a lost race leaves no open wait behind), `expired` on
 * timeout.
 */
import { CancellationScope, condition } from '@temporalio/workflow';
import type { RegisterSubscriptionResult } from '../../common/definitions/activity-types';
import { parseDuration } from '../../common/definitions/duration';
import type { EventEnvelope, WaitForEventStep } from '../../common/definitions/types';
import { engineActivities } from '../activities';
import { runMs } from '../clock';
import { eventMatcher, offerEvent } from '../events';
import { evaluate } from '../expressions';
import type { Frame, RunState, StepResult } from '../runtime';
import { failure, TIMEOUT } from '../step-errors';
import { enterWaiting, leaveWaiting } from '../waiting';

/** The id of the closing event's source (pattern ids are labels, so it cannot clash). */
const UNTIL = '#until';

/** One pattern of the wait. */
interface Source {
  id: string;
  pattern: string;
  correlation?: string;
  accept: (e: EventEnvelope) => boolean;
  subscription?: RegisterSubscriptionResult;
  /** The id of the last event this pattern took. */
  matched?: string;
}

/** An event the wait took, and the pattern that took it (`on`). */
export interface ReceivedEvent {
  on: string;
  eventId: string;
  pattern: string;
  payload: unknown;
  metadata?: Record<string, unknown>;
}

/** The step's output: every event taken, in order, and the payload of the last one per pattern. */
interface Received {
  events: ReceivedEvent[];
  received: Record<string, unknown>;
}

/** Executes a wait for several events; output `{ events, received }`, `$event` the last event taken. */
export async function waitForEvents(step: WaitForEventStep, run: RunState, frame: Frame): Promise<StepResult> {
  const sources: Source[] = [];
  for (const p of step.events ?? []) sources.push(await sourceOf(p.id, p.event, p.correlation, step, run, frame));
  const closing =
    step.until !== undefined && typeof step.until === 'object'
      ? await sourceOf(UNTIL, step.until.event, step.until.correlation, step, run, frame)
      : undefined;
  if (closing) sources.push(closing);
  const mode = step.until !== undefined ? 'until' : (step.mode ?? 'any');
  const timeoutMs = step.timeout === undefined ? undefined : runMs(run.input.options, parseDuration(step.timeout));
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const out: Received = { events: [], received: {} };

  // Which sources may still take an event: all of them, except in `all` mode those that already have one.
  const open = (s: Source) => mode !== 'all' || s.matched === undefined;
  const takerOf = (e: EventEnvelope) => sources.find((s) => open(s) && s.accept(e));
  let done = false;
  /** Takes every buffered event some open source accepts, oldest first, until the wait is satisfied. */
  const consume = async (): Promise<void> => {
    for (let i = 0; i < run.buffered.length && !done;) {
      const event = run.buffered[i];
      const source = takerOf(event);
      if (!source) {
        i++;
        continue;
      }
      run.buffered.splice(i, 1);
      source.matched = event.eventId;
      run.lastEvent = event;
      if (source !== closing) {
        out.events.push({
          on: source.id,
          eventId: event.eventId,
          pattern: event.pattern,
          payload: event.payload,
          ...(event.metadata && { metadata: event.metadata }),
        });
        out.received[source.id] = event.payload;
      }
      done = await satisfied(source);
    }
  };
  const satisfied = async (last: Source): Promise<boolean> => {
    if (mode === 'any') return true;
    if (mode === 'all') return sources.every((s) => s.matched !== undefined);
    if (last === closing) return true;
    if (typeof step.until !== 'string') return false;
    const verdict = await evaluate(step.until, run, frame, `step "${step.id}" until`, { events: out.events });
    return verdict !== false && verdict !== null && verdict !== undefined && verdict !== 0 && verdict !== '';
  };

  await consume();
  const engine = engineActivities(`${step.id}: wait`, run.input.options);
  if (!done && run.input.options?.subscriptions !== false) {
    for (const source of sources) {
      source.subscription = await engine.registerSubscription({
        instanceId: run.input.instanceId,
        workflowId: run.workflowId,
        stepId: `${step.id}#${source.id}`,
        pattern: source.pattern,
        ...(source.correlation !== undefined && { correlation: source.correlation }),
        ...(deadline !== undefined && { expiresAt: new Date(deadline).toISOString() }),
      });
      if (source.subscription.pendingEvent) offerEvent(run, source.subscription.pendingEvent);
      // A look-back event may satisfy the wait already: the remaining patterns then need no subscription.
      await consume();
      if (done) break;
    }
  }
  if (!done) done = await waitUntilDone(step, run, sources, deadline, consume, () => done, takerOf);

  await closeAll(step, run, sources, done ? undefined : 'expired');
  if (done) return { output: out };
  if (step.on_timeout !== undefined) return { output: out, next: step.on_timeout };
  throw failure(TIMEOUT, `wait for ${describe(sources)} at step "${step.id}" timed out`, { events: out.events });
}

async function sourceOf(
  id: string,
  pattern: string,
  correlationTemplate: string | undefined,
  step: WaitForEventStep,
  run: RunState,
  frame: Frame,
): Promise<Source> {
  const value =
    correlationTemplate === undefined
      ? undefined
      : await evaluate(correlationTemplate, run, frame, `step "${step.id}" correlation of "${id}"`);
  const correlation = value === undefined || value === null ? undefined : String(value);
  return { id, pattern, ...(correlation !== undefined && { correlation }), accept: eventMatcher(pattern, correlation) };
}

/** Waits (as `waiting`) for events until the wait is satisfied or its deadline passes; true when satisfied. */
async function waitUntilDone(
  step: WaitForEventStep,
  run: RunState,
  sources: Source[],
  deadline: number | undefined,
  consume: () => Promise<void>,
  isDone: () => boolean,
  takerOf: (e: EventEnvelope) => Source | undefined,
): Promise<boolean> {
  await enterWaiting(run, step.id);
  try {
    const arrived = () => run.buffered.some((e) => takerOf(e) !== undefined);
    while (!isDone()) {
      if (deadline === undefined) await condition(arrived);
      else {
        const left = deadline - Date.now();
        if (left <= 0 || !(await condition(arrived, left))) return false;
      }
      await consume();
    }
    return true;
  } catch (err) {
    await closeAll(step, run, sources, 'cancelled', true);
    throw err;
  } finally {
    await leaveWaiting(run);
  }
}

/** Closes every subscription: matched ones with their last event, the others `otherwise` (default cancelled). */
async function closeAll(
  step: WaitForEventStep,
  run: RunState,
  sources: Source[],
  otherwise: 'expired' | 'cancelled' = 'cancelled',
  shielded = false,
): Promise<void> {
  const registered = sources.filter((s) => s.subscription !== undefined);
  if (registered.length === 0) return;
  const { closeSubscription } = engineActivities(`${step.id}: close subscriptions`, run.input.options);
  const close = () =>
    Promise.all(
      registered.map((s) =>
        closeSubscription({
          subscriptionId: (s.subscription as RegisterSubscriptionResult).subscriptionId,
          ...(s.matched !== undefined && !shielded
            ? { status: 'matched' as const, eventId: s.matched }
            : { status: otherwise }),
        }),
      ),
    );
  await (shielded ? CancellationScope.nonCancellable(close) : close());
}

function describe(sources: Source[]): string {
  return sources.map((s) => `"${s.pattern}"`).join(', ');
}
