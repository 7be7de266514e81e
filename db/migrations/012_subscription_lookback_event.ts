/**
 * The event a wait's look-back handed over at registration (workflow_event_subscriptions.lookback_event_id).
 * Recording it makes the hand-over a receipt: a later look-back of the same run never hands it again (the
 * run may consume it from its buffer without any wait being matched to it), and a retried registration
 * returns the same event instead of losing it.
 */
import type { Knex } from 'knex';

const WF = 'workflow_orchestrator_service';

/** Adds the column and the index the look-back's exclusion uses. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE ${WF}.workflow_event_subscriptions ADD COLUMN lookback_event_id varchar(255)`);
  await knex.raw(`CREATE INDEX workflow_event_subscriptions_lookback ON ${WF}.workflow_event_subscriptions (temporal_workflow_id, lookback_event_id)
    WHERE lookback_event_id IS NOT NULL`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
