/**
 * Dispatcher shards: which shard delivers an event. An event's dispatch hash is a stable hash of its sequence
 * key (of its event id when it has none), stored on its queue row (`dispatch_hash`); its shard is
 * `hash % EVENT_DISPATCH_SHARDS`. Storing the hash rather than the shard lets a new count re-map pending rows
 * without rewriting them. The same hash is the SQL function `event_processing_service.event_dispatch_hash`
 * (migration 025): the first 32 bits of the key's MD5 (UTF-8), top bit cleared.
 */
import { createHash } from 'node:crypto';
import type { DispatchShard } from './delivery';

/** The dispatch hash of a key (0 .. 2^31-1), equal to the SQL `event_dispatch_hash(key)`. */
export function dispatchHashOf(key: string): number {
  const hex = createHash('md5').update(key, 'utf8').digest('hex');
  return parseInt(hex.slice(0, 8), 16) & 0x7fffffff;
}

/** The dispatch hash of an event: of its sequence key, or of its event id when it has none. */
export const eventDispatchHash = (e: { eventId: string; sequenceKey: string | null }): number =>
  dispatchHashOf(e.sequenceKey ?? e.eventId);

/** The shard index (0 .. count-1) of a dispatch hash. */
export const shardIndexOf = (hash: number, count: number): number => hash % count;

/** Every shard of a count. */
export const allShards = (count: number): DispatchShard[] =>
  Array.from({ length: count }, (_, index) => ({ index, count }));

/** The distinct shards of some hashes, under `count`. */
export function shardsOf(hashes: Iterable<number>, count: number): DispatchShard[] {
  const indexes = new Set<number>();
  for (const h of hashes) indexes.add(shardIndexOf(h, count));
  return [...indexes].sort((a, b) => a - b).map((index) => ({ index, count }));
}
