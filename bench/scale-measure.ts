/**
 * The measurements of bench:scale at one size: routing and delivery with N enabled triggers, event-to-resume
 * with N open subscriptions (bench/events-resume.ts), ingest with N stored events (bench/events-ingest.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { getEventByEventId } from '../db/repositories/event-instances';
import { workflowDefinitions } from '../db/repositories/workflow-definitions';
import { insertTrigger } from '../db/repositories/workflow-event-triggers';
import { emptyRouting, routeEvent } from '../services/events/routing/route-event';
import type { BenchCtx } from './events-ingest';
import { waitDelivered } from './events-ingest';
import { postAll } from './events-load';
import { summarise, type Series } from './events-stats';

const EI = 'event_processing_service.event_instances';

/** Registers an event definition (POST /event-definitions) for `pattern` with an order payload. */
export async function registerEventType(ctx: BenchCtx, pattern: string): Promise<void> {
  const res = await fetch(`${ctx.base}/event-definitions`, {
    method: 'POST',
    headers: { ...ctx.auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      event_id: `scale-${randomUUID().slice(0, 8)}`,
      name: 'scale',
      pattern,
      version: '1.0.0',
      payload_schema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } },
    }),
  });
  if (res.status !== 201) throw new Error(`event definition: ${res.status} ${await res.text()}`);
}

/** An active workflow definition the seeded triggers point at (a single wait; it is never started). */
export async function benchDefinition(db: Knex, tag: string): Promise<string> {
  const row = await workflowDefinitions.insert(db, {
    workflow_id: `scale-${tag}`,
    version: '1.0.0',
    name: 'scale',
    status: 'active',
    definition: {
      workflow_id: `scale-${tag}`,
      name: 'scale',
      version: '1.0.0',
      steps: [{ id: 'wait', type: 'wait_for_event', event: 'scale.never', timeout: '60s' }],
    },
  });
  return row.id;
}

/**
 * The trigger every measured event matches: a CANCEL of `definitionId`'s runs with the event's order id (none
 * run, so routing does its whole work, the JSONata key and the live-run query, and makes no Temporal call).
 */
export async function matchingTrigger(db: Knex, definitionId: string, pattern: string): Promise<void> {
  await insertTrigger(db, {
    trigger_id: `scale-match-${randomUUID().slice(0, 8)}`,
    workflow_definition_id: definitionId,
    event_pattern: pattern,
    trigger_type: 'CANCEL',
    correlation_key: 'payload.orderId',
    priority: 10,
  });
}

/** Routing latency and delivery throughput at one trigger count. */
export interface TriggerMeasure {
  routing: Series;
  delivery: { events: number; seconds: number; perSecond: number; allDelivered: boolean };
}

/**
 * Delivery: `events` events of `pattern` posted through the API at `concurrency` while the worker delivers
 * them; throughput is events over the time from the first post until the last is delivered. Routing: `routes`
 * of those stored events routed again one at a time with routeEvent (the dispatcher's per-event work:
 * subscriptions and triggers looked up and matched, the matching trigger applied), latency per event.
 */
export async function measureTriggers(
  ctx: BenchCtx,
  pattern: string,
  size: number,
  opts: { events: number; routes: number; concurrency: number },
): Promise<TriggerMeasure> {
  const tag = `${size}-${randomUUID().slice(0, 6)}`;
  const bodies = Array.from({ length: opts.events }, (_, i) =>
    JSON.stringify({ pattern, payload: { orderId: `o-${tag}-${i}` }, metadata: { correlationId: `c-${tag}-${i}` } }),
  );
  const t0 = performance.now();
  const posted = await postAll({ url: `${ctx.base}/events`, headers: ctx.auth, concurrency: opts.concurrency, bodies });
  if (posted.statuses[202] !== opts.events)
    throw new Error(`POST /events statuses: ${JSON.stringify(posted.statuses)}`);
  const drain = await waitDelivered(ctx.db, pattern, opts.events);
  const seconds = (performance.now() - t0) / 1000;
  const ids = (await ctx
    .db(EI)
    .where({ pattern })
    .whereRaw(`metadata->>'correlationId' LIKE ?`, [`c-${tag}-%`])
    .limit(opts.routes)
    .pluck('event_id')) as string[];
  const latencies: number[] = [];
  const deps = { db: ctx.db, temporal: ctx.temporal, config: ctx.config };
  for (const id of ids) {
    const event = (await getEventByEventId(ctx.db, id))!;
    const began = performance.now();
    const out = await routeEvent(deps, event, emptyRouting());
    latencies.push(performance.now() - began);
    if (out.skipped.length + out.cancelled.length + out.started.length > 0) {
      throw new Error(`routing did something unexpected: ${JSON.stringify(out)}`);
    }
  }
  return {
    routing: summarise(`routeEvent, ${size} triggers`, latencies, latencies.reduce((a, b) => a + b, 0) / 1000),
    delivery: {
      events: opts.events,
      seconds,
      perSecond: opts.events / seconds,
      allDelivered: drain.delivered === drain.total,
    },
  };
}
