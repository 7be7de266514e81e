/**
 * Bulk rows for bench:scale, written straight into the real tables with one `INSERT ... SELECT generate_series`
 * per batch: enabled triggers (mostly non-matching, a share of them wildcards), open subscriptions of waiting
 * runs (most of them on other event types, many on the measured one with other correlation values), and stored
 * events. The rows carry the values the platform itself writes (patterns, correlation values, keys, JSON), so
 * routing and ingest meet them through the same indexes as in production. Each function adds rows up to a
 * target count, so the sizes of a series grow one after another on the same database.
 */
import type { Knex } from 'knex';

const WF = 'workflow_orchestrator_service';
const EV = 'event_processing_service';

/** How many enabled triggers there are now. */
async function countOf(db: Knex, table: string, where = 'true'): Promise<number> {
  const { rows } = (await db.raw(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)) as {
    rows: Array<{ n: number }>;
  };
  return rows[0]!.n;
}

/**
 * Adds enabled triggers until there are `total`, none matching the measured pattern: 60% exact patterns of
 * other services (`svcN.entityM.created`), 40% wildcards (`svcN.*.updated`, `svcN.**`, and one in ten with a
 * leading wildcard, `*.svcN.deleted`), START on `definitionId` (its id is all they need: they never match).
 */
export async function seedTriggers(db: Knex, definitionId: string, total: number): Promise<number> {
  const have = await countOf(db, `${WF}.workflow_event_triggers`, 'enabled');
  if (have >= total) return 0;
  const from = have;
  const to = total - 1;
  await db.raw(
    `INSERT INTO ${WF}.workflow_event_triggers (trigger_id, workflow_definition_id, event_pattern, trigger_type, priority, on_running, correlation_key)
     SELECT 'scale-trg-' || i, ?, CASE
         WHEN i % 10 < 6 THEN 'svc' || (i % 997) || '.entity' || (i % 13) || '.created'
         WHEN i % 10 = 9 AND i % 100 >= 90 THEN '*.svc' || (i % 997) || '.deleted'
         WHEN i % 10 IN (6, 7) THEN 'svc' || (i % 997) || '.*.updated'
         ELSE 'svc' || (i % 997) || '.**' END,
       'START', 100 + i % 50, 'start', CASE WHEN i % 3 = 0 THEN '{% payload.orderId %}' END
       FROM generate_series(?::int, ?::int) AS i`,
    [definitionId, from, to],
  );
  await db.raw(`ANALYZE ${WF}.workflow_event_triggers`);
  return total - have;
}

/**
 * Adds open subscriptions of waiting runs (rows only; their workflows do not exist and are never signalled,
 * because no measured event matches them) until `total` are open: 40% wait for `pattern` itself with their own
 * correlation values (the common case: many runs waiting for one event type, one key each), 55% for 500 other
 * event types, 5% with wildcard patterns (half of them on `pattern`'s own first segments), each with its own
 * correlation value and expiry, as wait_for_event registers them.
 */
export async function seedSubscriptions(db: Knex, pattern: string, total: number): Promise<number> {
  const have = await countOf(db, `${WF}.workflow_event_subscriptions`, `status = 'open'`);
  if (have >= total) return 0;
  const prefix = pattern.split('.').slice(0, -1).join('.');
  await db.raw(
    `INSERT INTO ${WF}.workflow_event_subscriptions
       (subscription_key, temporal_workflow_id, step_id, event_pattern, correlation_value, signal_name, expires_at, created_at)
     SELECT 'scale-wf-' || i || ':wait:0', 'scale-wf-' || i, 'wait', CASE
         WHEN i % 20 < 8 THEN ?
         WHEN i % 20 = 19 THEN CASE WHEN i % 40 = 19 THEN ? || '.*' ELSE 'svc' || (i % 500) || '.**' END
         ELSE 'svc' || (i % 500) || '.order.approved' END,
       'scale-corr-' || i, 'aosEvent', now() + interval '7 days', now() - (i % 86400) * interval '1 second'
       FROM generate_series(?::int, ?::int) AS i`,
    [pattern, prefix, have, total - 1],
  );
  await db.raw(`ANALYZE ${WF}.workflow_event_subscriptions`);
  return total - have;
}

/** Rows stored in event_instances. */
export async function storedEvents(db: Knex): Promise<number> {
  return countOf(db, `${EV}.event_instances`);
}

/**
 * Adds stored events until event_instances holds `total` rows, in batches of `batch` rows (one statement
 * each, so progress shows), with their event_instance_keys rows (one per event, as ingest writes them): 200
 * event types, created over the last 25 days (so in this month's and last month's partitions, which are
 * created first), an order payload, a correlation id each, one in five in a sequence. ANALYZE at the end.
 * Returns the rows added and the seconds it took.
 */
export async function loadEvents(
  db: Knex,
  total: number,
  opts: { batch?: number; log?: (line: string) => void } = {},
): Promise<{ added: number; seconds: number }> {
  const batch = opts.batch ?? 500_000;
  const began = performance.now();
  await db.raw(`SELECT public.aos_ensure_monthly_partitions('${EV}.event_instances'::regclass, 3, 1)`);
  let have = await storedEvents(db);
  const start = have;
  while (have < total) {
    const to = Math.min(total, have + batch) - 1;
    const rows = to + 1 - have;
    const t0 = performance.now();
    await db.raw(
      `WITH rows AS (
         SELECT gen_random_uuid() AS id, 'scale-ev-' || i AS event_id, i,
                now() - interval '25 days' * ((i * 7919) % 1000000) / 1000000.0 AS at
           FROM generate_series(?::bigint, ?::bigint) AS i),
       keys AS (
         INSERT INTO ${EV}.event_instance_keys (id, event_id, event_created_at)
         SELECT id, event_id, at FROM rows)
       INSERT INTO ${EV}.event_instances (id, event_id, pattern, version, source, "timestamp", payload, metadata,
                                          created_at, updated_at, partition_key, sequence_key, sequence_number)
       SELECT id, event_id, 'svc' || (i % 200) || '.order.' || (ARRAY['created', 'paid', 'shipped', 'cancelled'])[1 + i % 4],
              '1.0.0', '{"type": "external", "id": "shop"}'::jsonb, at,
              jsonb_build_object('orderId', 'o-' || i, 'total', (i % 10000) / 100.0, 'currency', 'EUR',
                                 'items', jsonb_build_array(jsonb_build_object('sku', 'sku-' || (i % 5000), 'qty', 1 + i % 3))),
              jsonb_build_object('correlationId', 'corr-' || i),
              at, at, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM'),
              CASE WHEN i % 5 = 0 THEN 'seq-' || (i % 20000) END,
              CASE WHEN i % 5 = 0 THEN i / 20000 + 1 END
         FROM rows`,
      [have, to],
    );
    have = to + 1;
    const rate = rows / ((performance.now() - t0) / 1000);
    opts.log?.(`event_instances: ${have} rows (${Math.round(rate)} rows/s in the last batch)`);
  }
  await db.raw(`ANALYZE ${EV}.event_instances`);
  await db.raw(`ANALYZE ${EV}.event_instance_keys`);
  return { added: have - start, seconds: (performance.now() - began) / 1000 };
}
