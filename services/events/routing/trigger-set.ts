/**
 * The enabled triggers, compiled for routing and kept in memory per database handle: exact patterns in a map
 * by event name, wildcard patterns in a map by their first segment (those starting with `*` or `**` in one
 * short list), so matching an event costs one map look-up and the `*`/`**` matcher over the few wildcards
 * that share its first segment, however many triggers there are. Reading every wildcard trigger from the
 * database for every event grew with their number (bench:scale, docs/benchmarks.md). The set is reloaded
 * when the trigger-set version (migration 027, bumped by every write to workflow_event_triggers in the
 * writer's transaction) differs from the one it was loaded at: the version is read before the rows, so a
 * set is never newer-labelled than its rows, and a trigger committed before an event is routed is always seen.
 */
import type { Knex } from 'knex';
import { matchesPattern } from '../../../common/events/pattern';
import {
  listEnabledTriggers,
  triggerSetVersion,
  type TriggerWithDefinition,
} from '../../../db/repositories/workflow-event-triggers';

/** Triggers compiled for matching: exact by pattern, wildcards by first segment, leading wildcards apart. */
export interface CompiledTriggers<T extends { event_pattern: string }> {
  exact: Map<string, T[]>;
  byHead: Map<string, T[]>;
  anyHead: T[];
  size: number;
}

const isWildSegment = (s: string) => s === '*' || s === '**';

/** Compiles triggers (pure). */
export function compileTriggers<T extends { event_pattern: string }>(rows: readonly T[]): CompiledTriggers<T> {
  const set: CompiledTriggers<T> = { exact: new Map(), byHead: new Map(), anyHead: [], size: rows.length };
  const add = (m: Map<string, T[]>, k: string, t: T) => {
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  };
  for (const t of rows) {
    const segments = t.event_pattern.split('.');
    if (!segments.some(isWildSegment)) add(set.exact, t.event_pattern, t);
    else if (isWildSegment(segments[0]!)) set.anyHead.push(t);
    else add(set.byHead, segments[0]!, t);
  }
  return set;
}

/** The compiled triggers whose pattern matches the concrete event name, in compile order (pure). */
export function matchingTriggers<T extends { event_pattern: string }>(set: CompiledTriggers<T>, name: string): T[] {
  const head = name.split('.', 1)[0]!;
  const wild = [...(set.byHead.get(head) ?? []), ...set.anyHead].filter((t) => matchesPattern(t.event_pattern, name));
  return [...(set.exact.get(name) ?? []), ...wild];
}

interface Cached {
  version: string;
  set: Promise<CompiledTriggers<TriggerWithDefinition>>;
}

const cache = new WeakMap<Knex, Cached>();

/**
 * The current compiled set of enabled triggers for this database handle: one small read (the version) per
 * call, the rows only when they changed. Concurrent callers that find the same new version share one load.
 */
export async function currentTriggers(db: Knex): Promise<CompiledTriggers<TriggerWithDefinition>> {
  const version = await triggerSetVersion(db);
  const hit = cache.get(db);
  if (hit?.version === version) return hit.set;
  const set = listEnabledTriggers(db).then((rows) => compileTriggers(rows));
  cache.set(db, { version, set });
  // A failed load is not kept: the next call tries again.
  set.catch(() => {
    if (cache.get(db)?.set === set) cache.delete(db);
  });
  return set;
}
