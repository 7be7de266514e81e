/**
 * `wait_for_event`: waits for a matching, correlated event delivered by the `aosEvent` signal. Events that
 * arrived earlier are taken from the buffer; the subscription's look-back covers events published before
 * the run could receive signals. A timeout goes to `on_timeout`, or fails the step with `Timeout`.
 */
import { CancellationScope, condition } from '@temporalio/workflow';
import type { RegisterSubscriptionResult } from '../../common/definitions/activity-types';
import { parseDuration } from '../../common/definitions/duration';
import type { EventEnvelope, WaitForEventStep } from '../../common/definitions/types';
import { engineActivities } from '../activities';
import { runMs } from '../clock';
import { eventMatcher, offerEvent, takeEvent } from '../events';
import { evaluate } from '../expressions';
import type { RunState, StepExecutor } from '../runtime';
import { timeoutFailure } from '../step-errors';
import { enterWaiting, leaveWaiting } from '../waiting';
import { waitForEvents } from './wait-for-events';

/** Executes a wait; output: the event payload (`$event` is the whole envelope), or for `events` what was received. */
export const waitForEventStep: StepExecutor<WaitForEventStep> = async (step, run, frame) => {
  if (step.events !== undefined) return waitForEvents(step, run, frame);
  const pattern = step.event as string;
  const correlation =
    step.correlation === undefined
      ? undefined
      : await evaluate(step.correlation, run, frame, `step "${step.id}" correlation`);
  const accept = eventMatcher(
    pattern,
    correlation === undefined || correlation === null ? undefined : String(correlation),
  );
  const timeoutMs = step.timeout === undefined ? undefined : runMs(run.input.options, parseDuration(step.timeout));
  const engine = engineActivities(`${step.id}: wait ${step.event}`, run.input.options);

  let event = takeEvent(run, accept);
  let subscription: RegisterSubscriptionResult | undefined;
  if (!event && run.input.options?.subscriptions !== false) {
    subscription = await engine.registerSubscription({
      instanceId: run.input.instanceId,
      workflowId: run.workflowId,
      stepId: step.id,
      pattern,
      ...(correlation !== undefined && correlation !== null && { correlation: String(correlation) }),
      ...(timeoutMs !== undefined && { expiresAt: new Date(Date.now() + timeoutMs).toISOString() }),
    });
    if (subscription.pendingEvent) offerEvent(run, subscription.pendingEvent);
    event = takeEvent(run, accept);
  }
  if (!event) event = await waitFor(step, run, accept, timeoutMs, subscription);

  if (subscription) {
    const close = {
      subscriptionId: subscription.subscriptionId,
      status: event ? ('matched' as const) : ('expired' as const),
      ...(event && { eventId: event.eventId }),
    };
    await engine.closeSubscription(close);
  }
  if (!event) {
    if (step.on_timeout !== undefined) return { output: null, next: step.on_timeout };
    throw timeoutFailure(`wait for "${step.event}" at step "${step.id}"`);
  }
  run.lastEvent = event;
  return { output: event.payload };
};

async function waitFor(
  step: WaitForEventStep,
  run: RunState,
  accept: (e: EventEnvelope) => boolean,
  timeoutMs: number | undefined,
  subscription: RegisterSubscriptionResult | undefined,
): Promise<EventEnvelope | undefined> {
  await enterWaiting(run, step.id);
  try {
    const arrived = () => run.buffered.some(accept);
    if (timeoutMs === undefined) await condition(arrived);
    else await condition(arrived, timeoutMs);
    return takeEvent(run, accept);
  } catch (err) {
    if (subscription) {
      const { closeSubscription } = engineActivities(`${step.id}: close subscription`, run.input.options);
      await CancellationScope.nonCancellable(() =>
        closeSubscription({ subscriptionId: subscription.subscriptionId, status: 'cancelled' }),
      );
    }
    throw err;
  } finally {
    await leaveWaiting(run);
  }
}
