/**
 * Hands committed events to durable delivery by waking the event dispatcher's shards (`signalWithStart`, so the
 * first wake-up also starts one): the shards of the committed events when their dispatch hashes are known,
 * otherwise every shard of `EVENT_DISPATCH_SHARDS`. Wake-ups are coalesced per client and shard: at most one is
 * in flight, and any number of commits meanwhile share the one sent after it, no sooner than
 * FOLLOW_UP_SPACING_MS after the previous — Temporal work per burst, not per event, and bounded under sustained
 * load. Runs off the request path; a lost wake-up leaves the events `pending` for the sweeper to report.
 */
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../common/config';
import type { Logger } from '../../common/logger';
import {
  dispatcherShardWorkflowId,
  dispatcherWorkflowId,
  type DispatcherInput,
  type DispatchShard,
} from '../../common/events/delivery';
import { allShards, shardsOf } from '../../common/events/dispatch-shards';
import { staleShards } from '../../db/repositories/event-queue-state';
import {
  dispatcherWakeSignal,
  EVENT_DISPATCHER_WORKFLOW_TYPE,
  type EventDispatcherWorkflow,
} from '../../workflows/api';

/** The dispatcher id that this deployment's queue rows name (their owner; each shard delivers a slice). */
export const dispatcherIdOf = (config: Config): string => dispatcherWorkflowId(config.taskQueue);

/** The workflow id of one shard of this deployment's dispatcher. */
export const dispatcherShardIdOf = (config: Config, shard: DispatchShard): string =>
  dispatcherShardWorkflowId(config.taskQueue, shard);

/**
 * Wakes (starting it if needed) one dispatcher shard; resolves once Temporal accepted the signal. The wake-up is
 * sent outside any trace (tracing suppressed, no `traceparent` in its headers): it is coalesced across
 * publishers, so it belongs to none of their traces. The dispatcher itself runs untraced
 * (workflows/interceptors.ts); each event's routing joins the event's own trace (services/events/tracing.ts).
 */
export async function wakeDispatcherShard(temporal: Client, config: Config, shard: DispatchShard): Promise<void> {
  const args: [DispatcherInput] = [{ shard }];
  await context.with(suppressTracing(ROOT_CONTEXT), () =>
    temporal.workflow.signalWithStart<EventDispatcherWorkflow, []>(EVENT_DISPATCHER_WORKFLOW_TYPE, {
      workflowId: dispatcherShardIdOf(config, shard),
      taskQueue: config.taskQueue,
      args,
      signal: dispatcherWakeSignal,
      signalArgs: [],
    }),
  );
}

/** Wakes the given shards (default: every shard of the configured count); rejects if any wake-up failed. */
export async function wakeDispatcher(
  temporal: Client,
  config: Config,
  shards: DispatchShard[] = allShards(config.eventDispatchShards),
): Promise<void> {
  const failed = (await Promise.allSettled(shards.map((s) => wakeDispatcherShard(temporal, config, s)))).find(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failed) throw failed.reason;
}

/**
 * The sweeper's pass: wakes the shards that have events still undelivered more than `eventSweepGraceMs` after they
 * were due (a lost wake-up, a retry not taken, a lease whose claimer died); returns the shards it woke.
 */
export async function wakeIfStale(deps: { db: Knex; temporal: Client; config: Config }): Promise<DispatchShard[]> {
  const count = deps.config.eventDispatchShards;
  const stale = await staleShards(deps.db, dispatcherIdOf(deps.config), deps.config.eventSweepGraceMs, count);
  const shards = stale.map((index) => ({ index, count }));
  if (shards.length > 0) await wakeDispatcher(deps.temporal, deps.config, shards);
  return shards;
}

/**
 * Wakes the unsharded dispatcher of before sharding (id `aos-event-dispatcher:<taskQueue>`) if it still runs, so
 * it delivers what it holds and retires; returns whether it was running. Does not start it.
 */
export async function wakeUnshardedDispatcher(temporal: Client, config: Config): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(dispatcherIdOf(config)).signal(dispatcherWakeSignal);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

// Each signal costs the Temporal server far more CPU than the API; under load a busy dispatcher loops on full
// batches anyway, so follow-ups are spaced. A wake-up after a quiet spell still goes at once (latency).
const FOLLOW_UP_SPACING_MS = 50;

/** Coalesces wake-ups of one client and shard: one in flight, plus one more if a commit happened since it was sent. */
class Waker {
  private inFlight = false;
  private again = false;
  /** Wake-up signals sent so far. */
  sent = 0;
  constructor(
    private readonly temporal: Client,
    private readonly config: Config,
    private readonly shard: DispatchShard,
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
    wakeDispatcherShard(this.temporal, this.config, this.shard)
      .catch((err) =>
        this.logger?.warn({ err, shard: this.shard }, 'event dispatcher wake-up failed; the sweeper will wake it'),
      )
      .finally(() => {
        if (!this.again) return void (this.inFlight = false);
        // Still "in flight" while spacing: commits meanwhile join this follow-up.
        this.again = false;
        setTimeout(() => this.send(), Math.max(0, sentAt + FOLLOW_UP_SPACING_MS - Date.now()));
      });
  }
}

// Per client, per shard workflow id (a count change makes new ids; the old ones' wakers just stay idle).
const wakers = new WeakMap<Client, Map<string, Waker>>();

/**
 * Asks for a wake-up of the dispatcher after a commit, without waiting for Temporal: of the shards of the given
 * dispatch hashes (the committed events'), or of every shard when they are not known.
 */
export function handOff(temporal: Client, config: Config, logger?: Logger, hashes?: Iterable<number>): void {
  let byShard = wakers.get(temporal);
  if (!byShard) wakers.set(temporal, (byShard = new Map()));
  const count = config.eventDispatchShards;
  for (const shard of hashes ? shardsOf(hashes, count) : allShards(count)) {
    const id = dispatcherShardIdOf(config, shard);
    let w = byShard.get(id);
    if (!w) byShard.set(id, (w = new Waker(temporal, config, shard, logger)));
    w.request();
  }
}

const sum = (temporal: Client, f: (w: Waker) => number): number =>
  [...(wakers.get(temporal)?.values() ?? [])].reduce((n, w) => n + f(w), 0);

/** Wake-ups of this client not yet done (in flight or owed, all shards): lets a benchmark wait for them. */
export function handoffBacklog(temporal: Client): number {
  return sum(temporal, (w) => w.backlog);
}

/** Wake-up signals this client has sent (all shards; a benchmark reports Temporal calls per event). */
export function handoffsSent(temporal: Client): number {
  return sum(temporal, (w) => w.sent);
}
