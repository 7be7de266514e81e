/**
 * Event ingest: the one path by which events enter the platform (REST `POST /events`, the batch form
 * and the `emitEvent` activity). Validates against the event's definition, stores the event and its
 * delivery bookkeeping in one statement, and hands it to durable delivery after the commit.
 *
 * The publisher (`published_by`) is the caller's authenticated username, given by the caller of this module
 * (the route, from the request's principal; emit_event, from its run's starter), never read from the event
 * body: a `metadata` field claiming a user is just metadata. A trigger's run records it as `trigger.startedBy`.
 *
 * Each event is ingested in an `event.ingest <pattern>` span (./tracing.ts): its parent is the body's
 * `metadata.traceparent`, else `metadata.traceId`, else the request's span, and the stored
 * `metadata.traceparent` names it, so delivery and the runs it starts continue the publisher's trace.
 */
import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { toFieldErrors } from '../../common/ajv';
import type { Config } from '../../common/config';
import { AppError, type FieldError } from '../../common/errors';
import { jsonSafetyErrors } from '../../common/events/json-safety';
import type { Logger } from '../../common/logger';
import type { Span } from '../../common/telemetry';
import { insertEvent, insertEvents, type EventInsert, type StoredEvent } from '../../db/repositories/event-instances';
import { ingestGroupCommit } from './ingest-group-commit';
import { dispatcherIdOf, handOff } from './handoff';
import { eventDispatchHash } from '../../common/events/dispatch-shards';
import { resolveEventDefinition, type ResolvedEventDefinition } from './validators';
import { eventsIngested } from '../observability/metrics';
import { endIngestSpan, metadataWithTrace, startIngestSpan } from './tracing';

/** An event as submitted (the documented EventInstance shape; eventId, version, source, timestamp optional). */
export interface EventInput {
  eventId?: string;
  pattern: string;
  version?: string;
  source?: { type: string; id?: string; name?: string };
  timestamp?: string;
  payload: Record<string, unknown>;
  metadata?: Record<string, unknown> & { correlationId?: string };
}

/** What ingest needs. `handoff: false` stores without waking delivery (the sweeper's job then; a test seam). */
export interface EventDeps {
  db: Knex;
  temporal: Client;
  config: Config;
  logger?: Logger;
  handoff?: boolean;
}

/** Who publishes, as the platform authenticated them. */
export interface PublishOptions {
  /** JSON-pointer prefix of the event's field errors [`/body`]. */
  at?: string;
  /** Username recorded as the event's publisher (event_instances.published_by); absent = unknown. */
  publishedBy?: string;
}

/** The stored event and whether this call stored it (false: an earlier call with the same eventId did). */
export interface PublishResult {
  event: StoredEvent;
  created: boolean;
}

function valueAt(doc: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      doc,
    );
}

/** The sequence key: the definition's sequence_key_path value, else metadata.correlationId; scalars only. */
export function sequenceKeyOf(event: EventInput, def: ResolvedEventDefinition | undefined): string | null {
  const raw = def?.sequenceKeyPath ? valueAt(event, def.sequenceKeyPath) : event.metadata?.correlationId;
  if (typeof raw === 'string' && raw.length > 0 && raw.length <= 512) return raw;
  return typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : null;
}

/** Checks one event against its definition; returns the definition (undefined when unregistered and allowed). */
export async function checkEvent(
  deps: EventDeps,
  event: EventInput,
  at = '/body',
): Promise<ResolvedEventDefinition | undefined> {
  const unsafe = jsonSafetyErrors(event, at);
  if (unsafe.length > 0) throw AppError.unprocessable('Event cannot be stored', unsafe);
  const def = await resolveEventDefinition(
    deps.db,
    event.pattern,
    event.version,
    deps.config.eventDefinitionCacheTtlMs,
  );
  if (!def) {
    if (deps.config.acceptUnregisteredEvents && !event.version) return undefined;
    const what = event.version ? `${event.pattern}@${event.version}` : `${event.pattern} (no active version)`;
    throw AppError.unprocessable(`No event definition for ${what}`, [
      { pointer: `${at}/pattern`, message: 'is not a registered event' },
    ]);
  }
  const errors: FieldError[] = [];
  if (def.status === 'draft')
    errors.push({ pointer: `${at}/version`, message: `definition ${def.version} is a draft` });
  const sourceType = event.source?.type ?? 'external';
  if (def.sourceTypes.length > 0 && !def.sourceTypes.includes(sourceType)) {
    errors.push({ pointer: `${at}/source/type`, message: `must be one of ${def.sourceTypes.join(', ')}` });
  }
  if (def.validate && !def.validate(event.payload)) errors.push(...toFieldErrors(def.validate.errors, `${at}/payload`));
  if (errors.length > 0) throw AppError.unprocessable(`Event does not match ${event.pattern}@${def.version}`, errors);
  return def;
}

function toInsert(
  deps: EventDeps,
  event: EventInput,
  def: ResolvedEventDefinition | undefined,
  publishedBy: string | undefined,
): EventInsert {
  return {
    // Without a client eventId a retry cannot be recognised: each attempt would store a new event.
    eventId: event.eventId ?? randomUUID(),
    pattern: event.pattern,
    version: def?.version ?? event.version ?? null,
    source: event.source ?? { type: 'external' },
    timestamp: event.timestamp ?? null,
    payload: event.payload,
    metadata: event.metadata ?? {},
    eventDefinitionId: def?.id ?? null,
    sequenceKey: sequenceKeyOf(event, def),
    maxAttempts: deps.config.eventDeliveryMaxAttempts,
    dispatcherId: dispatcherIdOf(deps.config),
    publishedBy: publishedBy ?? null,
  };
}

// One wake-up per committed batch and shard of its events (coalesced further across batches): each shard claims
// whatever of its slice is due.
function handOffCreated(deps: EventDeps, results: PublishResult[]): void {
  const created = results.filter((r) => r.created);
  if (created.length > 0) eventsIngested.inc(created.length);
  if (deps.handoff === false || created.length === 0) return;
  handOff(
    deps.temporal,
    deps.config,
    deps.logger,
    created.map((r) => eventDispatchHash(r.event)),
  );
}

/** Stores one event: through the group committer, or on its own inside a caller's transaction. */
function store(deps: EventDeps, row: EventInsert): Promise<PublishResult> {
  const { eventGroupCommitWindowMs: windowMs, eventGroupCommitMax: maxBatch } = deps.config;
  if (deps.db.isTransaction || windowMs === 0) return insertEvent(deps.db, row);
  return ingestGroupCommit(deps.db, { windowMs, maxBatch, maxInFlight: 4 }).write(row);
}

/**
 * Validates, stores (idempotent on eventId: a repeat answers the original row, with its original publisher and
 * metadata) and hands off one event, in its ingest span.
 */
export async function publishEvent(
  deps: EventDeps,
  event: EventInput,
  { at = '/body', publishedBy }: PublishOptions = {},
): Promise<PublishResult> {
  const eventId = event.eventId ?? randomUUID();
  const span = startIngestSpan(event, eventId);
  try {
    const result = await context.with(trace.setSpan(context.active(), span), async () => {
      const def = await checkEvent(deps, event, at);
      const traced = { ...event, eventId, metadata: metadataWithTrace(event.metadata, span) };
      return store(deps, toInsert(deps, traced, def, publishedBy));
    });
    endIngestSpan(span, result);
    handOffCreated(deps, [result]);
    return result;
  } catch (error) {
    endIngestSpan(span, { error });
    throw error;
  }
}

/**
 * Publishes a batch, all or nothing: every event is checked first (one 422 lists all errors), then all are
 * stored by one statement (a database failure stores none; the client retries the whole batch, and events
 * it sent with eventIds are answered idempotently). Events stored before are answered with the original.
 * Each event has its own ingest span (its own parent), all ended when the statement answered.
 */
export async function publishBatch(
  deps: EventDeps,
  events: EventInput[],
  { publishedBy }: Pick<PublishOptions, 'publishedBy'> = {},
): Promise<PublishResult[]> {
  const eventIds = events.map((e) => e.eventId ?? randomUUID());
  const spans = events.map((e, i) => startIngestSpan(e, eventIds[i]!));
  try {
    const results = await storeBatch(deps, events, eventIds, spans, publishedBy);
    results.forEach((r, i) => endIngestSpan(spans[i]!, r));
    handOffCreated(deps, results);
    return results;
  } catch (error) {
    for (const span of spans) endIngestSpan(span, { error });
    throw error;
  }
}

async function storeBatch(
  deps: EventDeps,
  events: EventInput[],
  eventIds: string[],
  spans: Span[],
  publishedBy: string | undefined,
): Promise<PublishResult[]> {
  const errors: FieldError[] = [];
  const defs: Array<ResolvedEventDefinition | undefined> = [];
  for (const [i, e] of events.entries()) {
    try {
      defs.push(await checkEvent(deps, e, `/body/events/${i}`));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(...err.errors);
    }
  }
  const ids = events.map((e) => e.eventId).filter((id): id is string => id !== undefined);
  if (new Set(ids).size !== ids.length)
    errors.push({ pointer: '/body/events', message: 'eventIds must be unique within a batch' });
  if (errors.length > 0) throw AppError.unprocessable('Batch rejected; no event was stored', errors);
  return insertEvents(
    deps.db,
    events.map((e, i) =>
      toInsert(
        deps,
        { ...e, eventId: eventIds[i], metadata: metadataWithTrace(e.metadata, spans[i]!) },
        defs[i],
        publishedBy,
      ),
    ),
  );
}
