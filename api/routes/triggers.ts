/** REST CRUD of workflow event triggers (the documented WorkflowEventTrigger shape). */
import { Type } from '@sinclair/typebox';
import { triggerCreateSchema, triggerPatchSchema } from '../../common/events/schema';
import { AppError } from '../../common/errors';
import {
  createTrigger,
  deleteTrigger,
  findTrigger,
  listTriggers,
  toTriggerColumns,
  toTriggerResource,
  updateTrigger,
  type TriggerBody,
} from '../../services/events/triggers';
import { listQuery, pageSchema } from '../http/list-query';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Enum, Typed, Uuid } from '../http/schema';
import { acceptSchemaKeyword, withoutSchemaKeyword } from '../http/schema-keyword';

const TAG = ['triggers'];
const trigger = {
  type: 'object',
  required: ['id', 'triggerId', 'workflowDefinitionId', 'eventPattern', 'triggerType', 'enabled', 'priority'],
  properties: {
    id: { type: 'string' },
    triggerId: { type: 'string' },
    workflowDefinitionId: { type: 'string' },
    eventPattern: { type: 'string' },
    triggerType: { enum: ['START', 'CANCEL'] },
    eventCondition: { type: ['string', 'null'] },
    inputMapping: { type: ['object', 'null'] },
    correlationKey: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    priority: { type: 'integer' },
    description: { type: ['string', 'null'] },
    onRunning: { enum: ['skip', 'signal', 'start'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
};
const params = Type.Object({ id: Type.String({ maxLength: 255 }) });
const createBody = Typed<
  TriggerBody & Required<Pick<TriggerBody, 'workflowDefinitionId' | 'eventPattern' | 'triggerType'>>
>(acceptSchemaKeyword(triggerCreateSchema));
const patchBody = Typed<Omit<TriggerBody, 'triggerId'>>(triggerPatchSchema);
const problem = { description: 'Problem' };

/** Routes under /triggers. */
export const triggerRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/triggers',
    operationId: 'listTriggers',
    summary: 'List triggers',
    tags: TAG,
    permission: 'triggers:read',
    query: listQuery(
      {},
      {
        event_pattern: Type.String({ maxLength: 255 }),
        trigger_type: Enum(['START', 'CANCEL']),
        enabled: Type.Boolean(),
        workflow_definition_id: Uuid(),
      },
    ),
    responses: { 200: { description: 'A page of triggers', schema: pageSchema(trigger) } },
    handler: async ({ deps, query }) => {
      const page = await listTriggers(
        deps.db,
        {
          eventPattern: query.event_pattern,
          triggerType: query.trigger_type,
          enabled: query.enabled,
          workflowDefinitionId: query.workflow_definition_id,
        },
        query,
      );
      return { body: { items: page.items.map(toTriggerResource), next_cursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/triggers',
    operationId: 'createTrigger',
    summary: 'Create a trigger',
    tags: TAG,
    permission: 'triggers:write',
    body: createBody,
    responses: { 201: { description: 'Created', schema: trigger }, 409: problem, 422: problem },
    handler: async ({ deps, body }) => {
      const row = await createTrigger(deps.db, withoutSchemaKeyword(body));
      return { status: 201, body: toTriggerResource(row), headers: { Location: `/api/v1/triggers/${row.id}` } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/triggers/:id',
    operationId: 'getTrigger',
    summary: 'A trigger by id or triggerId',
    tags: TAG,
    permission: 'triggers:read',
    params,
    responses: { 200: { description: 'The trigger', schema: trigger }, 404: problem },
    handler: async ({ deps, params: p }) => ({ body: toTriggerResource(await findTrigger(deps.db, p.id)) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/triggers/:id',
    operationId: 'updateTrigger',
    summary: 'Change a trigger',
    tags: TAG,
    permission: 'triggers:write',
    params,
    body: patchBody,
    responses: { 200: { description: 'Updated', schema: trigger }, 404: problem, 422: problem },
    handler: async ({ deps, params: p, body }) => {
      const current = await findTrigger(deps.db, p.id);
      const row = await updateTrigger(deps.db, current.id, await toTriggerColumns(deps.db, body));
      if (!row) throw AppError.notFound(`Trigger ${p.id} not found`);
      return { body: toTriggerResource(row) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/triggers/:id',
    operationId: 'deleteTrigger',
    summary: 'Delete a trigger',
    tags: TAG,
    permission: 'triggers:write',
    params,
    responses: { 204: { description: 'Deleted' }, 404: problem },
    handler: async ({ deps, params: p }) => {
      await deleteTrigger(deps.db, (await findTrigger(deps.db, p.id)).id);
      return { status: 204 };
    },
  }),
];
