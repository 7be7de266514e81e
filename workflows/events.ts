/**
 * Event matching for wait_for_event: name patterns with `*` (one segment) and `**` (any number of
 * segments), correlation values, and the buffer that keeps events arriving before their wait.
 */
import type { EventEnvelope } from '../common/definitions/types';
import type { RunState } from './runtime';

/** True when the dot-separated `name` matches `pattern`. */
export function matchesPattern(pattern: string, name: string): boolean {
  return matchSegments(pattern.split('.'), 0, name.split('.'), 0);
}

function matchSegments(p: string[], i: number, n: string[], j: number): boolean {
  if (i === p.length) return j === n.length;
  if (p[i] === '**') {
    for (let k = j; k <= n.length; k++) if (matchSegments(p, i + 1, n, k)) return true;
    return false;
  }
  if (j === n.length) return false;
  return (p[i] === '*' || p[i] === n[j]) && matchSegments(p, i + 1, n, j + 1);
}

/** The correlation value an event carries (metadata `correlationKey`, `correlation_key` or `correlation`). */
export function correlationOf(event: EventEnvelope): string | undefined {
  const m = event.metadata ?? {};
  const value = m.correlationKey ?? m.correlation_key ?? m.correlation;
  return value === undefined || value === null ? undefined : String(value);
}

/** A predicate for the events a wait accepts. */
export function eventMatcher(pattern: string, correlation: string | undefined): (e: EventEnvelope) => boolean {
  return (e) => matchesPattern(pattern, e.pattern) && (correlation === undefined || correlationOf(e) === correlation);
}

/** Buffers an event unless its id was seen before (signals and look-back may deliver the same event twice). */
export function offerEvent(run: RunState, event: EventEnvelope): void {
  if (!event || typeof event.eventId !== 'string' || run.seenEventIds.has(event.eventId)) return;
  run.seenEventIds.add(event.eventId);
  run.buffered.push(event);
}

/** Removes and returns the oldest buffered event that `accept`s, if any. */
export function takeEvent(run: RunState, accept: (e: EventEnvelope) => boolean): EventEnvelope | undefined {
  const i = run.buffered.findIndex(accept);
  return i < 0 ? undefined : run.buffered.splice(i, 1)[0];
}
