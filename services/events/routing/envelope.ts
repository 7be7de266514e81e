/** Converts a stored event into the `aosEvent` signal payload the interpreter consumes. */
import type { EventEnvelope } from '../../../common/definitions/types';
import type { StoredEvent } from '../../../db/repositories/event-instances';

/** The event's correlation value: metadata.correlationId (the documented field) or an explicit correlationKey. */
export function correlationOf(event: Pick<StoredEvent, 'metadata'>): string | null {
  const m = event.metadata ?? {};
  const v = m.correlationKey ?? m.correlationId;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

/** The envelope: metadata gains `correlationKey` (what wait_for_event matches), `source`, `timestamp`, `version`. */
export function toEnvelope(event: StoredEvent, subscriptionId?: string): EventEnvelope {
  const correlation = correlationOf(event);
  return {
    eventId: event.eventId,
    pattern: event.pattern,
    payload: event.payload,
    metadata: {
      ...event.metadata,
      ...(correlation !== null && { correlationKey: correlation }),
      source: event.source,
      timestamp: event.timestamp,
      version: event.version,
    },
    ...(event.sequenceNumber !== null && { sequenceNumber: event.sequenceNumber }),
    ...(subscriptionId && { subscriptionId }),
  };
}
