/**
 * Sharded event delivery (#17): each router row of event_queue_state carries `dispatch_hash`, a stable hash of
 * its event's sequence key (of its event id when it has none); the dispatcher shard `i` of `n` delivers the rows
 * with `dispatch_hash % n = i`. The hash, not the shard, is stored, so a new shard count re-maps pending rows at
 * once without rewriting them.
 * - `event_dispatch_hash(key)`: the first 32 bits of md5(key) with the top bit cleared; the API computes the same
 *   in JS at insert (common/events/dispatch-shards.ts; a test checks that both agree).
 * - A BEFORE INSERT trigger fills the column where an insert left it null (a process of before this migration
 *   during a rolling upgrade, a hand-written row), so an undelivered row always has its hash.
 * - Backfill: every row that can still be claimed or redriven. Delivered rows are never claimed again; they keep
 *   null and the migration does not rewrite them.
 * The claim keeps using event_queue_state_dispatch (owner, next_attempt_at): a shard reads its owner's due rows in
 * order and skips the other shards' rows (docs/events.md#sharded-delivery says what that costs).
 */
import type { Knex } from 'knex';

const EV = 'event_processing_service';

/** Adds event_queue_state.dispatch_hash, its hash function and insert trigger, and fills it for live rows. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE FUNCTION ${EV}.event_dispatch_hash(key text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CAST(CAST('x' || substr(md5(key), 1, 8) AS bit(32)) AS integer) & 2147483647 $$`);
  await knex.raw(`ALTER TABLE ${EV}.event_queue_state ADD COLUMN dispatch_hash integer`);
  await knex.raw(`CREATE FUNCTION ${EV}.event_queue_state_fill_dispatch_hash() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.dispatch_hash := ${EV}.event_dispatch_hash(COALESCE(NEW.sequence_key, NEW.event_id));
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER event_queue_state_dispatch_hash BEFORE INSERT ON ${EV}.event_queue_state
    FOR EACH ROW WHEN (NEW.dispatch_hash IS NULL AND NEW.consumer = 'router')
    EXECUTE FUNCTION ${EV}.event_queue_state_fill_dispatch_hash()`);
  await knex.raw(`UPDATE ${EV}.event_queue_state
    SET dispatch_hash = ${EV}.event_dispatch_hash(COALESCE(sequence_key, event_id))
    WHERE consumer = 'router' AND status <> 'delivered'`);
}

/** Forward-only. */
export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
