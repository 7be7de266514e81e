/** Event ingest (one and batch) and the event store read side (events with their delivery state). */
import { Type } from '@sinclair/typebox';
import { eventBatchSchema, eventInstanceSchema } from '../../common/events/schema';
import { AppError } from '../../common/errors';
import { principalOf } from '../auth/principal';
import { publishBatch, publishEvent, type EventInput } from '../../services/events/ingest';
import { decodeCursor, encodeCursor, getEventByEventId, getQueueState, listEvents } from '../../services/events/reads';
import { listQuery, pageSchema } from '../http/list-query';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Typed } from '../http/schema';

const TAG = ['events'];
const stored = {
  type: 'object',
  required: ['id', 'eventId', 'pattern', 'payload', 'metadata', 'timestamp'],
  properties: {
    id: { type: 'string' },
    eventId: { type: 'string' },
    pattern: { type: 'string' },
    version: { type: ['string', 'null'] },
    source: { type: ['object', 'null'] },
    timestamp: { type: 'string' },
    payload: { type: 'object' },
    metadata: { type: 'object' },
    sequenceKey: { type: ['string', 'null'] },
    sequenceNumber: { type: ['integer', 'null'] },
    eventDefinitionId: { type: ['string', 'null'] },
    publishedBy: {
      type: ['string', 'null'],
      description:
        "Username of the authenticated publisher (the caller; for a workflow-emitted event, its run's starter)",
    },
    createdAt: { type: 'string' },
    delivery: { type: 'object' },
  },
};
const problem = { description: 'Problem' };
// Batch size comes from config at mount time would couple routes to config; the schema bound is the hard cap
// and the handler enforces the configured one.
const BATCH_HARD_MAX = 10_000;
const eventBody = Typed<EventInput>(eventInstanceSchema);
const batchBody = Typed<{ events: EventInput[] }>(eventBatchSchema(BATCH_HARD_MAX));

/** Routes under /events. */
export const eventRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/events',
    operationId: 'publishEvent',
    summary: 'Publish an event (idempotent on eventId)',
    tags: TAG,
    permission: 'events:publish',
    body: eventBody,
    fast: true,
    responses: {
      202: { description: 'Stored; delivery runs on Temporal', schema: stored },
      200: { description: 'Already stored (same eventId)', schema: stored },
      413: problem,
      422: problem,
    },
    handler: async ({ deps, body, res }) => {
      // The publisher is the authenticated caller, never a field of the body (metadata cannot claim a user).
      const { event, created } = await publishEvent(deps, body, { publishedBy: principalOf(res).username });
      return {
        status: created ? 202 : 200,
        body: event,
        headers: { Location: `/api/v1/events/${encodeURIComponent(event.eventId)}` },
      };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/events/batch',
    operationId: 'publishEvents',
    summary: 'Publish several events; all are checked before any is stored',
    tags: TAG,
    permission: 'events:publish',
    body: batchBody,
    responses: {
      202: {
        description: 'Per event: stored now (created) or before',
        schema: {
          type: 'object',
          properties: {
            items: {
              type: 'array',
              items: { type: 'object', properties: { created: { type: 'boolean' }, event: stored } },
            },
          },
        },
      },
      413: problem,
      422: problem,
    },
    handler: async ({ deps, body, res }) => {
      if (body.events.length > deps.config.eventBatchMax) {
        throw AppError.unprocessable(`At most ${deps.config.eventBatchMax} events per batch`, [
          { pointer: '/body/events', message: `has ${body.events.length} items` },
        ]);
      }
      const results = await publishBatch(deps, body.events, { publishedBy: principalOf(res).username });
      return { status: 202, body: { items: results } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    summary: 'List stored events, newest first',
    tags: TAG,
    permission: 'events:read',
    query: listQuery({}, { pattern: Type.String({ maxLength: 255 }), correlation_id: Type.String({ maxLength: 512 }) }),
    responses: { 200: { description: 'A page of events', schema: pageSchema(stored) } },
    handler: async ({ deps, query }) => {
      const limit = Math.min(query.limit ?? 50, 200);
      const rows = await listEvents(deps.db, {
        pattern: query.pattern,
        correlationId: query.correlation_id,
        limit: limit + 1,
        before: query.cursor ? decodeCursor(query.cursor) : undefined,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        body: { items, next_cursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/events/:eventId',
    operationId: 'getEvent',
    summary: 'A stored event and its delivery state',
    tags: TAG,
    permission: 'events:read',
    params: Type.Object({ eventId: Type.String({ maxLength: 255 }) }),
    responses: { 200: { description: 'The event', schema: stored }, 404: problem },
    handler: async ({ deps, params }) => {
      const event = await getEventByEventId(deps.db, params.eventId);
      if (!event) throw AppError.notFound(`Event ${params.eventId} not found`);
      const q = await getQueueState(deps.db, params.eventId);
      const delivery = q && {
        status: q.status,
        attempts: q.attempts,
        maxAttempts: q.max_attempts,
        lastError: q.last_error,
        nextAttemptAt: q.next_attempt_at,
        deliveredAt: q.delivered_at,
      };
      return { body: { ...event, delivery } };
    },
  }),
];
