/**
 * Routes one stored event: to the open subscriptions waiting for it (signals) and to the matching triggers
 * (start / cancel). Idempotent, so a retried or repeated delivery is safe: trigger starts use deterministic
 * workflow ids, the interpreter de-duplicates signals by eventId, cancellation is idempotent.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from '../../../common/config';
import type { RoutingResult } from '../../../common/events/delivery';
import type { StoredEvent } from '../../../db/repositories/event-instances';
import { routeToSubscriptions } from './route-subscriptions';
import { routeToTriggers } from './route-triggers';

/** What routing needs. */
export interface RoutingDeps {
  db: Knex;
  temporal: Client;
  config: Config;
}

/** A routing result with nothing done yet. */
export const emptyRouting = (): RoutingResult => ({ started: [], cancelled: [], signalled: [], skipped: [] });

/**
 * Routes the event to subscriptions and triggers; returns what it did (collected in `out`, which keeps what was
 * done before a failure).
 */
export async function routeEvent(
  deps: RoutingDeps,
  event: StoredEvent,
  out: RoutingResult = emptyRouting(),
): Promise<RoutingResult> {
  await Promise.all([routeToSubscriptions(deps.db, deps.temporal, event, out), routeToTriggers(deps, event, out)]);
  return out;
}
