/** REST CRUD of event definitions (versions + status); payload schemas and examples are checked on write. */
import { Type } from '@sinclair/typebox';
import { eventDefinitionPatchSchema, eventDefinitionSchema } from '../../common/events/schema';
import { AppError } from '../../common/errors';
import { eventDefinitions } from '../../db/repositories/event-definitions';
import { createEventDefinition, deleteEventDefinition, updateEventDefinition, type EventDefinitionBody } from '../../services/event-definitions';
import { checkIfMatch, etagOf } from '../http/etag';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Typed } from '../http/schema';
import { principalOf } from '../auth/principal';

const TAG = ['event-definitions'];
const row = {
  type: 'object',
  required: ['id', 'event_id', 'version', 'pattern', 'status'],
  properties: {
    id: { type: 'string', format: 'uuid' }, event_id: { type: 'string' }, version: { type: 'string' }, name: { type: 'string' },
    description: { type: ['string', 'null'] }, pattern: { type: 'string' }, status: { enum: ['draft', 'active', 'deprecated'] },
    source_types: { type: 'array' }, payload_schema: { type: ['object', 'null'] }, examples: { type: 'array' },
    ui_metadata: { type: ['object', 'null'] }, sequence_key_path: { type: ['string', 'null'] },
    created_by: { type: ['string', 'null'] }, updated_by: { type: ['string', 'null'] }, created_at: { type: 'string' }, updated_at: { type: 'string' },
  },
};
const idParams = Type.Object({ eventId: Type.String({ maxLength: 255 }) });
const versionParams = Type.Object({ eventId: Type.String({ maxLength: 255 }), version: Type.String({ maxLength: 50 }) });
const createBody = Typed<EventDefinitionBody>(eventDefinitionSchema);
const patchBody = Typed<Partial<EventDefinitionBody>>(eventDefinitionPatchSchema);
const problem = { description: 'Problem' };
const userOf = (res: Parameters<typeof principalOf>[0]) => (res.locals.principal ? principalOf(res).username : undefined);

/** Routes under /event-definitions. */
export const eventDefinitionRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get', path: '/event-definitions', operationId: 'listEventDefinitions', summary: 'List event definition versions', tags: TAG,
    permission: 'event_definitions:read',
    query: listQuery({ status: ['draft', 'active', 'deprecated'] }, { event_id: Type.String({ maxLength: 255 }), search: Type.String({ maxLength: 255 }) }),
    responses: { 200: { description: 'A page of definitions', schema: pageSchema(row) } },
    handler: async ({ deps, query }) => ({
      body: toPage(await eventDefinitions.list(deps.db, { status: query.status, businessId: query.event_id, search: query.search }, query)),
    }),
  }),
  defineRoute({
    method: 'post', path: '/event-definitions', operationId: 'createEventDefinition', summary: 'Create an event definition version', tags: TAG,
    permission: 'event_definitions:write', body: createBody,
    responses: { 201: { description: 'Created', schema: row }, 409: problem, 422: problem },
    handler: async ({ deps, body, res }) => {
      const created = await createEventDefinition(deps.db, body, userOf(res));
      return { status: 201, body: created, headers: { ETag: etagOf(created), Location: `/api/v1/event-definitions/${created.event_id}/versions/${created.version}` } };
    },
  }),
  defineRoute({
    method: 'get', path: '/event-definitions/:eventId', operationId: 'getEventDefinition', summary: 'Latest active version (else the newest version)', tags: TAG,
    permission: 'event_definitions:read', params: idParams,
    responses: { 200: { description: 'The definition', schema: row }, 404: problem },
    handler: async ({ deps, params }) => {
      const found = (await eventDefinitions.getLatestActive(deps.db, params.eventId)) ?? (await eventDefinitions.listVersions(deps.db, params.eventId)).at(-1);
      if (!found) throw AppError.notFound(`Event definition ${params.eventId} not found`);
      return { body: found, headers: { ETag: etagOf(found) } };
    },
  }),
  defineRoute({
    method: 'get', path: '/event-definitions/:eventId/versions', operationId: 'listEventDefinitionVersions', summary: 'All versions, oldest first', tags: TAG,
    permission: 'event_definitions:read', params: idParams,
    responses: { 200: { description: 'Versions', schema: { type: 'object', properties: { items: { type: 'array', items: row } } } }, 404: problem },
    handler: async ({ deps, params }) => {
      const items = await eventDefinitions.listVersions(deps.db, params.eventId);
      if (items.length === 0) throw AppError.notFound(`Event definition ${params.eventId} not found`);
      return { body: { items } };
    },
  }),
  defineRoute({
    method: 'get', path: '/event-definitions/:eventId/versions/:version', operationId: 'getEventDefinitionVersion', summary: 'One version', tags: TAG,
    permission: 'event_definitions:read', params: versionParams,
    responses: { 200: { description: 'The version', schema: row }, 404: problem },
    handler: async ({ deps, params }) => {
      const found = await eventDefinitions.getVersion(deps.db, params.eventId, params.version);
      if (!found) throw AppError.notFound(`Event definition ${params.eventId}@${params.version} not found`);
      return { body: found, headers: { ETag: etagOf(found) } };
    },
  }),
  defineRoute({
    method: 'patch', path: '/event-definitions/:eventId/versions/:version', operationId: 'updateEventDefinitionVersion',
    summary: 'Edit a draft, or change status (requires If-Match)', tags: TAG,
    permission: 'event_definitions:write', params: versionParams, body: patchBody,
    responses: { 200: { description: 'Updated', schema: row }, 404: problem, 409: problem, 412: problem, 422: problem, 428: problem },
    handler: async ({ deps, params, body, req, res }) => {
      const current = await eventDefinitions.getVersion(deps.db, params.eventId, params.version);
      if (!current) throw AppError.notFound(`Event definition ${params.eventId}@${params.version} not found`);
      checkIfMatch(req, etagOf(current));
      const updated = await updateEventDefinition(deps.db, params.eventId, params.version, body, userOf(res));
      return { body: updated, headers: { ETag: etagOf(updated) } };
    },
  }),
  defineRoute({
    method: 'delete', path: '/event-definitions/:eventId/versions/:version', operationId: 'deleteEventDefinitionVersion',
    summary: 'Delete a draft or deprecated version', tags: TAG,
    permission: 'event_definitions:write', params: versionParams,
    responses: { 204: { description: 'Deleted' }, 404: problem, 409: problem },
    handler: async ({ deps, params }) => {
      await deleteEventDefinition(deps.db, params.eventId, params.version);
      return { status: 204 };
    },
  }),
];
