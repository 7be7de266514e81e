/**
 * One pass of an event dispatcher shard: claims due events (queue rows naming its owner, of its shard), routes them —
 * different sequence keys concurrently, one key's events one after another in sequence order, following a key
 * on to its next number while it is due — and records each outcome. The pass is an `event.dispatch` span; each
 * event's routing an `event.route <pattern>` span in the event's own trace, linked to the pass (../tracing.ts).
 */
import { FailureType } from '../../../common/errors';
import type { DispatchRequest, DispatchResult, RoutingResult } from '../../../common/events/delivery';
import { getEventByEventId, type StoredEvent } from '../../../db/repositories/event-instances';
import {
  claimDue,
  nextDueInMs,
  renewLeases,
  type ClaimedEvent,
  type ClaimScope,
} from '../../../db/repositories/event-queue-claim';
import { nonRetryable } from '../../../common/errors/failures';
import { emptyRouting, routeEvent, type RoutingDeps } from '../routing/route-event';
import { correlationOf } from '../routing/envelope';
import { markError, withSpan, type Span } from '../../../common/telemetry';
import { EventSpanAttr, EventSpanName, recordRouting, withRouteSpan } from '../tracing';
import { recordDelivered, recordFailure, type Outcome } from './outcome';
import { deliveryLag, dispatcherEvents, secondsBetween } from '../../observability/metrics';

// Keys routed at once; each holds a pool connection now and then, and Temporal calls are mostly waiting.
const PARALLEL_KEYS = 16;
// Events of one key followed in one pass; more are left for the next pass (reported as `full`).
const CHAIN_MAX = 50;

async function deliverOne(deps: RoutingDeps, c: ClaimedEvent, pass: Span): Promise<Outcome> {
  let event: StoredEvent | undefined;
  try {
    event = await getEventByEventId(deps.db, c.eventId);
    if (!event) throw nonRetryable(FailureType.NotFound, `event ${c.eventId} is not stored`);
  } catch (err) {
    return recordFailure(deps.db, deps.config, c, err, event);
  }
  const routed = event;
  const correlation = correlationOf(routed);
  const attributes = {
    [EventSpanAttr.attempt]: c.attempt,
    ...(correlation !== null && { [EventSpanAttr.correlation]: correlation }),
  };
  return withRouteSpan(routed, attributes, pass, async (span) => {
    const out = emptyRouting();
    const outcome = await routeAndRecord(deps, c, routed, out, span);
    recordRouting(span, out);
    span.setAttributes({
      [EventSpanAttr.outcome]: outcome.status,
      [EventSpanAttr.isDeadLettered]: outcome.status === 'dead_lettered',
    });
    return outcome;
  });
}

/** Routes one event and records the outcome; a routing error is the outcome, a recording error fails the pass. */
async function routeAndRecord(
  deps: RoutingDeps,
  c: ClaimedEvent,
  event: StoredEvent,
  out: RoutingResult,
  span: Span,
): Promise<Outcome> {
  try {
    await routeEvent(deps, event, out);
  } catch (err) {
    markError(span, err);
    return recordFailure(deps.db, deps.config, c, err, event);
  }
  const outcome = await recordDelivered(deps.db, c);
  const lag = secondsBetween(event.createdAt, new Date());
  if (lag !== undefined) deliveryLag.observe(lag);
  return outcome;
}

const leaseSeconds = (deps: RoutingDeps) => deps.config.eventClaimLeaseMs / 1000;

/**
 * The rows a pass holds. A claim leases its rows for EVENT_CLAIM_LEASE_MS; the pass renews the leases of the rows it
 * still routes every third of that, until each is recorded (`release`), the pass ends (`stop`) or `signal` aborts
 * (the pass timed out or was cancelled). So a live pass keeps its rows however long routing takes, and the rows of
 * a claimer that died (a killed worker) are free for another dispatcher one lease after its last renewal. A row
 * taken again while a stalled pass still routes it is routed twice, which routing tolerates (it is idempotent).
 */
function leaseKeeper(deps: RoutingDeps, signal: AbortSignal | undefined) {
  const held = new Map<string, number>(); // event id -> the attempt this pass's claim made
  const timer = setInterval(() => {
    if (signal?.aborted || held.size === 0) return;
    const claims = [...held].map(([eventId, attempt]) => ({ eventId, attempt }));
    // A renewal that fails (database down) leaves the lease to run out; routing fails then too, and is retried.
    renewLeases(deps.db, claims, leaseSeconds(deps)).catch(() => undefined);
  }, deps.config.eventClaimLeaseMs / 3);
  timer.unref();
  return {
    hold: (claims: ClaimedEvent[]) => claims.forEach((c) => held.set(c.eventId, c.attempt)),
    release: (c: ClaimedEvent) => held.delete(c.eventId),
    stop: () => clearInterval(timer),
  };
}

/**
 * Delivers the dispatcher's due events once, in an `event.dispatch` span; reports what happened and when the next
 * one is due. `signal` (the activity's cancellation) stops the renewal of the claimed rows' leases.
 */
export function dispatchPending(
  deps: RoutingDeps,
  req: DispatchRequest,
  signal?: AbortSignal,
): Promise<DispatchResult> {
  const attributes = { [EventSpanAttr.dispatcherId]: req.dispatcherId, [EventSpanAttr.batchLimit]: req.limit };
  return withSpan(EventSpanName.dispatch, { attributes }, async (pass) => {
    const leases = leaseKeeper(deps, signal);
    const result = await dispatchPass(deps, req, pass, leases).finally(leases.stop);
    pass.setAttributes({
      [EventSpanAttr.delivered]: result.delivered,
      [EventSpanAttr.failed]: result.failed,
      [EventSpanAttr.deadLettered]: result.deadLettered,
      [EventSpanAttr.full]: result.full,
    });
    return result;
  });
}

function countByShard(req: DispatchRequest, r: DispatchResult): void {
  const shard = req.shard ? `${req.shard.index}/${req.shard.count}` : 'all';
  if (r.delivered > 0) dispatcherEvents.inc({ shard, outcome: 'delivered' }, r.delivered);
  if (r.failed > 0) dispatcherEvents.inc({ shard, outcome: 'failed' }, r.failed);
  if (r.deadLettered > 0) dispatcherEvents.inc({ shard, outcome: 'dead_lettered' }, r.deadLettered);
}

async function dispatchPass(
  deps: RoutingDeps,
  req: DispatchRequest,
  pass: Span,
  leases: ReturnType<typeof leaseKeeper>,
): Promise<DispatchResult> {
  const scope: ClaimScope = { owner: req.owner ?? req.dispatcherId, ...(req.shard && { shard: req.shard }) };
  const heads = await claimDue(deps.db, { ...scope, limit: req.limit, leaseSeconds: leaseSeconds(deps) });
  leases.hold(heads);
  pass.setAttribute(EventSpanAttr.claimed, heads.length);
  const result: DispatchResult = {
    delivered: 0,
    failed: 0,
    deadLettered: 0,
    full: heads.length >= req.limit,
    nextDueInMs: null,
    shards: deps.config.eventDispatchShards,
  };
  const count = (o: Outcome) =>
    void (o.status === 'delivered'
      ? result.delivered++
      : o.status === 'failed'
        ? result.failed++
        : result.deadLettered++);
  // One lane per claimed row; a sequenced row's lane continues with its key's next number once it is done.
  const lane = async (first: ClaimedEvent) => {
    let c: ClaimedEvent | undefined = first;
    for (let n = 0; c; n++) {
      const outcome = await deliverOne(deps, c, pass);
      leases.release(c);
      count(outcome);
      // Only a sequence with later numbers has a successor whose turn has now come.
      if (!outcome.more || c.sequenceKey === null) return;
      if (n + 1 >= CHAIN_MAX) return void (result.full = true);
      // A key's events share its hash, so they are all in this shard.
      [c] = await claimDue(deps.db, {
        ...scope,
        limit: 1,
        leaseSeconds: leaseSeconds(deps),
        sequenceKey: c.sequenceKey,
      });
      if (c) leases.hold([c]);
    }
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_KEYS, heads.length) }, async () => {
      while (next < heads.length) await lane(heads[next++]!);
    }),
  );
  result.nextDueInMs = await nextDueInMs(deps.db, scope);
  countByShard(req, result);
  return result;
}
