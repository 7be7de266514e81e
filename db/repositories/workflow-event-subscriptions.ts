/** workflow_orchestrator_service.workflow_event_subscriptions: waits of running workflows for correlated events. */
import type { Knex } from 'knex';
import type { Db } from './sql';
import { toDb, transition } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';

/** Lifecycle of a subscription. */
export type SubscriptionStatus = 'open' | 'matched' | 'expired' | 'cancelled';

/** A row of workflow_event_subscriptions. */
export interface SubscriptionRow {
  id: string;
  subscription_key: string;
  workflow_instance_id: string | null;
  temporal_workflow_id: string;
  temporal_run_id: string | null;
  step_id: string;
  step_path: string | null;
  event_pattern: string;
  correlation_value: string | null;
  signal_name: string | null;
  status: SubscriptionStatus;
  expires_at: Date | null;
  matched_event_id: string | null;
  /** The event the look-back handed to this wait at registration (a receipt: never handed to the run again). */
  lookback_event_id: string | null;
  matched_event_instance_id: string | null;
  matched_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Values to register a wait. `subscription_key` must be deterministic per wait (retries are no-ops). */
export type SubscriptionInsert = Pick<
  SubscriptionRow,
  'subscription_key' | 'temporal_workflow_id' | 'step_id' | 'event_pattern'
> &
  Partial<
    Pick<
      SubscriptionRow,
      'workflow_instance_id' | 'temporal_run_id' | 'step_path' | 'correlation_value' | 'signal_name' | 'expires_at'
    >
  >;

export const WORKFLOW_EVENT_SUBSCRIPTIONS = 'workflow_orchestrator_service.workflow_event_subscriptions';

/** Registers a wait, or returns the existing registration with the same key. */
export async function registerSubscription(
  db: Db,
  values: SubscriptionInsert,
): Promise<{ row: SubscriptionRow; created: boolean }> {
  const [row] = await db(WORKFLOW_EVENT_SUBSCRIPTIONS)
    .insert(toDb(values))
    .onConflict('subscription_key')
    .ignore()
    .returning('*');
  if (row) return { row: row as SubscriptionRow, created: true };
  const existing = (await db(WORKFLOW_EVENT_SUBSCRIPTIONS)
    .where({ subscription_key: values.subscription_key })
    .first()) as SubscriptionRow;
  return { row: existing, created: false };
}

/**
 * Holds the registration lock of one workflow until the transaction ends: its waits' look-backs run one at a
 * time, so two concurrent waits of a run are never both handed the same event while another goes unhanded.
 */
export async function lockRegistrationsOf(trx: Knex.Transaction, temporalWorkflowId: string): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('aos:wait-registration'), hashtext(?))`, [temporalWorkflowId]);
}

/** A subscription by id. */
export async function getSubscription(db: Db, id: string): Promise<SubscriptionRow | undefined> {
  return (await db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ id }).first()) as SubscriptionRow | undefined;
}

/** Records the event the look-back handed to a wait. */
export async function recordLookbackEvent(db: Db, id: string, eventId: string): Promise<void> {
  await db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ id }).update({ lookback_event_id: eventId });
}

/**
 * Open subscriptions that may match an event of `pattern` and `correlation`: the exact pattern through the
 * routing index, and every wildcard pattern through its partial index (the caller applies the `*`/`**` matcher
 * to those). A subscription without a correlation value accepts any correlation.
 */
export async function findSubscriptionCandidates(
  db: Db,
  pattern: string,
  correlation: string | null,
): Promise<{ exact: SubscriptionRow[]; wildcard: SubscriptionRow[] }> {
  const corr = (q: Knex.QueryBuilder) =>
    correlation === null
      ? q.whereNull('correlation_value')
      : q.where((w) => w.where('correlation_value', correlation).orWhereNull('correlation_value'));
  const exact = corr(db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ status: 'open', event_pattern: pattern }));
  const wild = corr(db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ status: 'open' }).where('event_pattern', 'like', '%*%'));
  const [a, b] = (await Promise.all([exact, wild])) as [SubscriptionRow[], SubscriptionRow[]];
  return { exact: a, wildcard: b };
}

/** How many waits of a step in a run are no longer open (numbers the run's next wait of that step). */
export async function countClosedWaits(db: Db, temporalWorkflowId: string, stepId: string): Promise<number> {
  const [{ n }] = await db(WORKFLOW_EVENT_SUBSCRIPTIONS)
    .where({ temporal_workflow_id: temporalWorkflowId, step_id: stepId })
    .whereNot({ status: 'open' })
    .count({ n: '*' });
  return Number(n);
}

/** Open subscriptions for an exact (pattern, correlation value): the partial routing index answers this. */
export async function findOpenSubscriptions(
  db: Db,
  eventPattern: string,
  correlationValue: string | null,
): Promise<SubscriptionRow[]> {
  const q = db(WORKFLOW_EVENT_SUBSCRIPTIONS).where({ status: 'open', event_pattern: eventPattern });
  if (correlationValue === null) q.whereNull('correlation_value');
  else q.where({ correlation_value: correlationValue });
  return (await q.orderBy('created_at', 'asc')) as SubscriptionRow[];
}

/** Closes an open subscription as matched by an event; undefined when it was no longer open. */
export async function matchSubscription(
  db: Db,
  id: string,
  eventId: string,
  eventInstanceId?: string,
): Promise<SubscriptionRow | undefined> {
  const now = new Date();
  return transition<SubscriptionRow>(db, WORKFLOW_EVENT_SUBSCRIPTIONS, id, 'matched', ['open'], {
    matched_event_id: eventId,
    matched_event_instance_id: eventInstanceId,
    matched_at: now,
    closed_at: now,
  });
}

/** Closes an open subscription as expired or cancelled; undefined when it was no longer open. */
export async function closeSubscription(
  db: Db,
  id: string,
  to: 'expired' | 'cancelled',
): Promise<SubscriptionRow | undefined> {
  return transition<SubscriptionRow>(db, WORKFLOW_EVENT_SUBSCRIPTIONS, id, to, ['open'], { closed_at: new Date() });
}

/** Cancels every open subscription of a run (run ended or was cancelled); returns how many. */
export async function cancelSubscriptionsOfWorkflow(db: Db, temporalWorkflowId: string): Promise<number> {
  return db(WORKFLOW_EVENT_SUBSCRIPTIONS)
    .where({ temporal_workflow_id: temporalWorkflowId, status: 'open' })
    .update({ status: 'cancelled', closed_at: new Date() });
}

/** Lists subscriptions newest first. */
export async function listSubscriptions(
  db: Db,
  f: { status?: SubscriptionStatus; temporalWorkflowId?: string; eventPattern?: string } = {},
  page: PageRequest = {},
): Promise<Page<SubscriptionRow>> {
  const q = db(`${WORKFLOW_EVENT_SUBSCRIPTIONS} as s`);
  if (f.status) q.where('s.status', f.status);
  if (f.temporalWorkflowId) q.where('s.temporal_workflow_id', f.temporalWorkflowId);
  if (f.eventPattern) q.where('s.event_pattern', f.eventPattern);
  return paginate<SubscriptionRow>(q, 's', page);
}
