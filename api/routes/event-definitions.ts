/** REST CRUD of event definitions (versions + status); payload schemas and examples are checked on write. */
import { Type } from '@sinclair/typebox';
import { eventDefinitionPatchSchema, eventDefinitionSchema } from '../../common/events/schema';
import {
  createEventDefinition,
  deleteEventDefinition,
  eventVersions,
  updateEventDefinition,
  type EventDefinitionBody,
} from '../../services/definitions';
import { etagHeader, etagOf } from '../http/etag';
import { listQuery } from '../http/list-query';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Typed } from '../http/schema';
import { acceptSchemaKeyword, withoutSchemaKeyword } from '../http/schema-keyword';
import { actorOf, ifMatch, problem, versionedReadRoutes } from '../http/versioned-routes';

const TAG = ['event-definitions'];
const row = {
  type: 'object',
  required: ['id', 'event_id', 'version', 'pattern', 'status'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    event_id: { type: 'string' },
    version: { type: 'string' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    pattern: { type: 'string' },
    status: { enum: ['draft', 'active', 'deprecated'] },
    source_types: { type: 'array' },
    payload_schema: { type: ['object', 'null'] },
    examples: { type: 'array' },
    ui_metadata: { type: ['object', 'null'] },
    sequence_key_path: { type: ['string', 'null'] },
    created_by: { type: ['string', 'null'] },
    updated_by: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
};
const idParams = Type.Object({ eventId: Type.String({ maxLength: 255 }) });
const versionParams = Type.Object({
  eventId: Type.String({ maxLength: 255 }),
  version: Type.String({ maxLength: 50 }),
});
const createBody = Typed<EventDefinitionBody>(acceptSchemaKeyword(eventDefinitionSchema));
const patchBody = Typed<Partial<EventDefinitionBody>>(eventDefinitionPatchSchema);

/** Routes under /event-definitions. */
export const eventDefinitionRoutes: RouteDefinition[] = [
  ...versionedReadRoutes({
    path: '/event-definitions',
    param: 'eventId',
    tag: 'event-definitions',
    operation: 'EventDefinition',
    read: 'event_definitions:read',
    write: 'event_definitions:write',
    item: row,
    params: { id: idParams, version: versionParams },
    lifecycle: eventVersions,
    view: (r) => r,
    list: {
      summary: 'List event definition versions',
      description: 'A page of definitions',
      query: listQuery(
        { status: ['draft', 'active', 'deprecated'] },
        { event_id: Type.String({ maxLength: 255 }), search: Type.String({ maxLength: 255 }) },
      ),
      filter: (q) => ({ status: q.status as never, businessId: q.event_id, search: q.search }),
    },
    summaries: { current: 'Latest active version (else the newest version)', versions: 'All versions, oldest first' },
  }),
  defineRoute({
    method: 'post',
    path: '/event-definitions',
    operationId: 'createEventDefinition',
    summary: 'Create an event definition version',
    tags: TAG,
    permission: 'event_definitions:write',
    body: createBody,
    responses: { 201: { description: 'Created', schema: row, headers: etagHeader }, 409: problem, 422: problem },
    handler: async ({ deps, body, res }) => {
      const created = await createEventDefinition(deps.db, withoutSchemaKeyword(body), actorOf(res).actor);
      return {
        status: 201,
        body: created,
        headers: {
          ETag: etagOf(created),
          Location: `/api/v1/event-definitions/${created.event_id}/versions/${created.version}`,
        },
      };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/event-definitions/:eventId/versions/:version',
    operationId: 'updateEventDefinitionVersion',
    summary: 'Edit a draft, or change status (requires If-Match)',
    tags: TAG,
    permission: 'event_definitions:write',
    params: versionParams,
    body: patchBody,
    responses: {
      200: { description: 'Updated', schema: row, headers: etagHeader },
      404: problem,
      409: problem,
      412: problem,
      422: problem,
      428: problem,
    },
    handler: async ({ deps, params, body, req, res }) => {
      const updated = await updateEventDefinition(
        deps.db,
        params.eventId,
        params.version,
        body,
        actorOf(res).actor,
        ifMatch(req),
      );
      return { body: updated, headers: { ETag: etagOf(updated) } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/event-definitions/:eventId/versions/:version',
    operationId: 'deleteEventDefinitionVersion',
    summary: 'Delete a draft or deprecated version',
    tags: TAG,
    permission: 'event_definitions:write',
    params: versionParams,
    responses: { 204: { description: 'Deleted' }, 404: problem, 409: problem },
    handler: async ({ deps, params }) => {
      await deleteEventDefinition(deps.db, params.eventId, params.version);
      return { status: 204 };
    },
  }),
];
