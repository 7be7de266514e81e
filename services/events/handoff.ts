/**
 * Hands committed events to durable delivery by waking the event dispatcher workflow (`signalWithStart`,
 * so the first wake-up also starts it). Wake-ups are coalesced per client: at most one is in flight, and
 * any number of commits meanwhile share the one sent after it, no sooner than FOLLOW_UP_SPACING_MS after
 * the previous — Temporal work per burst, not per event, and bounded under sustained load.
 * Runs off the request path; a lost wake-up leaves the events `pending` for the sweeper to report.
 */
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import { dispatcherWorkflowId, type DispatcherInput } from '../../common/events/delivery';
import { hasStalePending } from '../../db/repositories/event-queue-state';
import {
  dispatcherWakeSignal,
  EVENT_DISPATCHER_WORKFLOW_TYPE,
  type EventDispatcherWorkflow,
} from '../../workflows/api';

/** The dispatcher workflow id that this deployment's queue rows name. */
export const dispatcherIdOf = (config: Config): string => dispatcherWorkflowId(config.taskQueue);

/**
 * Wakes (starting it if needed) the dispatcher now; resolves once Temporal accepted the signal. The wake-up is
 * sent outside any trace (tracing suppressed, no `traceparent` in its headers): it is coalesced across
 * publishers, so it belongs to none of their traces. The dispatcher itself runs untraced
 * (workflows/interceptors.ts); each event's routing joins the event's own trace (services/events/tracing.ts).
 */
export async function wakeDispatcher(temporal: Client, config: Config): Promise<void> {
  const args: [DispatcherInput] = [{}];
  await context.with(suppressTracing(ROOT_CONTEXT), () =>
    temporal.workflow.signalWithStart<EventDispatcherWorkflow, []>(EVENT_DISPATCHER_WORKFLOW_TYPE, {
      workflowId: dispatcherIdOf(config),
      taskQueue: config.taskQueue,
      args,
      signal: dispatcherWakeSignal,
      signalArgs: [],
    }),
  );
}

/**
 * The sweeper's pass: wakes the dispatcher when this deployment's events are still `pending` more than
 * `eventSweepGraceMs` after they were due (their wake-up was lost); returns whether it did.
 */
export async function wakeIfStale(deps: { db: Knex; temporal: Client; config: Config }): Promise<boolean> {
  if (!(await hasStalePending(deps.db, dispatcherIdOf(deps.config), deps.config.eventSweepGraceMs))) return false;
  await wakeDispatcher(deps.temporal, deps.config);
  return true;
}

// Each signal costs the Temporal server far more CPU than the API; under load a busy dispatcher loops on full
// batches anyway, so follow-ups are spaced. A wake-up after a quiet spell still goes at once (latency).
const FOLLOW_UP_SPACING_MS = 50;

/** Coalesces wake-ups of one client: one in flight, plus one more if a commit happened since it was sent. */
class Waker {
  private inFlight = false;
  private again = false;
  /** Wake-up signals sent so far. */
  sent = 0;
  constructor(
    private readonly temporal: Client,
    private readonly config: Config,
    private readonly logger?: Logger,
  ) {}

  /** Wake-ups not yet sent or answered. */
  get backlog(): number {
    return Number(this.inFlight) + Number(this.again);
  }

  request(): void {
    // The in-flight signal may have reached the dispatcher before this commit: one more is owed after it.
    if (this.inFlight) return void (this.again = true);
    this.inFlight = true;
    this.send();
  }

  private send(): void {
    const sentAt = Date.now();
    this.sent++;
    wakeDispatcher(this.temporal, this.config)
      .catch((err) => this.logger?.warn({ err }, 'event dispatcher wake-up failed; the sweeper will wake it'))
      .finally(() => {
        if (!this.again) return void (this.inFlight = false);
        // Still "in flight" while spacing: commits meanwhile join this follow-up.
        this.again = false;
        setTimeout(() => this.send(), Math.max(0, sentAt + FOLLOW_UP_SPACING_MS - Date.now()));
      });
  }
}

const wakers = new WeakMap<Client, Waker>();

/** Asks for a wake-up of the dispatcher after a commit, without waiting for Temporal. */
export function handOff(temporal: Client, config: Config, logger?: Logger): void {
  let w = wakers.get(temporal);
  if (!w) wakers.set(temporal, (w = new Waker(temporal, config, logger)));
  w.request();
}

/** Wake-ups of this client not yet done (in flight or owed): lets a benchmark wait for them. */
export function handoffBacklog(temporal: Client): number {
  return wakers.get(temporal)?.backlog ?? 0;
}

/** Wake-up signals this client has sent (a benchmark reports Temporal calls per event). */
export function handoffsSent(temporal: Client): number {
  return wakers.get(temporal)?.sent ?? 0;
}
