/**
 * Routing indexes for wildcard patterns: exact patterns are found through the (pattern, ...) indexes of
 * migration 005; the few wildcard triggers and subscriptions get partial indexes of their own, so routing
 * an event never scans the open subscriptions of every waiting workflow.
 */
import type { Knex } from 'knex';

const WF = 'workflow_orchestrator_service';

/** Adds the partial indexes. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX workflow_event_subscriptions_wildcard ON ${WF}.workflow_event_subscriptions (correlation_value)
    WHERE status = 'open' AND event_pattern LIKE '%*%'`);
  await knex.raw(`CREATE INDEX workflow_event_triggers_wildcard ON ${WF}.workflow_event_triggers (priority)
    WHERE enabled AND event_pattern LIKE '%*%'`);
  // The look-back of a registering wait excludes events this run already consumed.
  await knex.raw(`CREATE INDEX workflow_event_subscriptions_matched ON ${WF}.workflow_event_subscriptions (temporal_workflow_id, matched_event_id)
    WHERE matched_event_id IS NOT NULL`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
