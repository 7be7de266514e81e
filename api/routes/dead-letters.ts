/** The dead letter queue: list, inspect, redrive one or many, discard. */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../common/errors';
import {
  discardDeadLetters,
  getDeadLetter,
  listDeadLetters,
  redriveDeadLetters,
} from '../../services/events/dead-letters';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Uuid } from '../http/schema';

const TAG = ['dead-letters'];
const letter = {
  type: 'object',
  required: ['id', 'event_id', 'status', 'error'],
  properties: {
    id: { type: 'string' },
    event_id: { type: 'string' },
    consumer: { type: 'string' },
    status: { enum: ['open', 'redriven', 'discarded'] },
    error: {},
    context: { type: 'object' },
    attempts: { type: 'integer' },
    redrive_count: { type: 'integer' },
    event_instance_id: { type: ['string', 'null'] },
    event_queue_state_id: { type: ['string', 'null'] },
    redriven_at: { type: ['string', 'null'] },
    discarded_at: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
};
const uuid = Uuid();
const params = Type.Object({ id: uuid });
const idsBody = Type.Object(
  { ids: Type.Array(uuid, { minItems: 1, maxItems: 500, uniqueItems: true }) },
  { additionalProperties: false },
);
const outcome = {
  type: 'object',
  required: ['id', 'outcome'],
  properties: {
    id: { type: 'string' },
    outcome: { enum: ['redriven', 'discarded', 'not_open'] },
    eventId: { type: 'string' },
  },
};
const outcomes = { type: 'object', required: ['items'], properties: { items: { type: 'array', items: outcome } } };
const problem = { description: 'Problem' };

async function one<T extends { outcome: string }>(items: T[], id: string): Promise<T> {
  if (items[0]?.outcome === 'not_open')
    throw AppError.conflict(`Dead letter ${id} is not open (missing, redriven or discarded)`);
  return items[0]!;
}

/** Routes under /dead-letters. */
export const deadLetterRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'List dead letters, newest first',
    tags: TAG,
    permission: 'dead_letters:read',
    query: listQuery({ status: ['open', 'redriven', 'discarded'] }, { event_id: Type.String({ maxLength: 255 }) }),
    responses: { 200: { description: 'A page of dead letters', schema: pageSchema(letter) } },
    handler: async ({ deps, query }) => ({
      body: toPage(await listDeadLetters(deps.db, { status: query.status, eventId: query.event_id }, query)),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/dead-letters/:id',
    operationId: 'getDeadLetter',
    summary: 'A dead letter with its error and context',
    tags: TAG,
    permission: 'dead_letters:read',
    params,
    responses: { 200: { description: 'The dead letter', schema: letter }, 404: problem },
    handler: async ({ deps, params: p }) => {
      const row = await getDeadLetter(deps.db, p.id);
      if (!row) throw AppError.notFound(`Dead letter ${p.id} not found`);
      return { body: row };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/redrive',
    operationId: 'redriveDeadLetters',
    summary: 'Redrive several dead letters',
    tags: TAG,
    permission: 'dead_letters:write',
    body: idsBody,
    responses: { 200: { description: 'Outcome per id', schema: outcomes }, 422: problem },
    handler: async ({ deps, body }) => ({ body: { items: await redriveDeadLetters(deps, body.ids) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/:id/redrive',
    operationId: 'redriveDeadLetter',
    summary: 'Redrive one dead letter',
    tags: TAG,
    permission: 'dead_letters:write',
    params,
    responses: { 200: { description: 'Redriven', schema: outcome }, 409: problem },
    handler: async ({ deps, params: p }) => ({ body: await one(await redriveDeadLetters(deps, [p.id]), p.id) }),
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/discard',
    operationId: 'discardDeadLetters',
    summary: 'Discard several dead letters',
    tags: TAG,
    permission: 'dead_letters:write',
    body: idsBody,
    responses: { 200: { description: 'Outcome per id', schema: outcomes }, 422: problem },
    handler: async ({ deps, body }) => ({ body: { items: await discardDeadLetters(deps.db, body.ids) } }),
  }),
  defineRoute({
    method: 'post',
    path: '/dead-letters/:id/discard',
    operationId: 'discardDeadLetter',
    summary: 'Discard one dead letter',
    tags: TAG,
    permission: 'dead_letters:write',
    params,
    responses: { 200: { description: 'Discarded', schema: outcome }, 409: problem },
    handler: async ({ deps, params: p }) => ({ body: await one(await discardDeadLetters(deps.db, [p.id]), p.id) }),
  }),
];
