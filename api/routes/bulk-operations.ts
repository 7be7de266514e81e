/** Bulk operations (#15 item 3): request one, watch its progress and failures, list, cancel. */
import { Type } from '@sinclair/typebox';
import { BULK_ACTIONS, BULK_RATE } from '../../common/contracts/bulk-operations';
import {
  cancelBulkOperation,
  createBulkOperation,
  getBulkOperationView,
  listBulkOperationItems,
  listBulkOperationViews,
} from '../../services/bulk-operations';
import { can, principalOf } from '../auth/principal';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { Enum, Uuid } from '../http/schema';
import { problem } from './engine-schemas';

const TAG = ['bulk-operations'];
const OP_STATUSES = ['pending', 'running', 'completed', 'cancelled', 'failed'] as const;
const ITEM_STATUSES = ['pending', 'succeeded', 'failed', 'skipped'] as const;
const idParams = Type.Object({ id: Uuid() });
const time = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }));
const key = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 255, description }));

const filterSchema = Type.Object(
  {
    all: Type.Optional(Type.Boolean({ description: "Every target of the action's kind (instead of any criterion)" })),
    definition: key("Runs: the definition's business id"),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Runs: the definition version' })),
    status: Type.Optional(
      Type.Union(
        [
          Type.String({ minLength: 1, maxLength: 32 }),
          Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 10, uniqueItems: true }),
        ],
        { description: 'Runs: run status(es); dead letters: open (default), redriven, discarded' },
      ),
    ),
    correlation_key: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Runs' })),
    business_key: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Runs' })),
    started_after: time('Runs started at or after this instant'),
    started_before: time('Runs started before this instant'),
    query: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4000,
        description:
          "Runs: a Temporal visibility query over the platform's search attributes, e.g. " +
          "`AosDefinitionId = 'orders' AND ExecutionStatus = 'Running'`",
      }),
    ),
    event: key('Dead letters: the event name (pattern)'),
    event_id: key('Dead letters: one event'),
    trigger: key("Dead letters: of the events a trigger's pattern matches (its id or trigger_id)"),
    consumer: key('Dead letters: the consumer (router, subscription...)'),
    error_type: key('Dead letters: the error type of the last attempt'),
    created_after: time('Created at or after this instant'),
    created_before: time('Created before this instant'),
  },
  { additionalProperties: false },
);

const createBody = Type.Object(
  {
    action: Enum(BULK_ACTIONS, { type: 'string' }),
    filter: filterSchema,
    options: Type.Optional(
      Type.Object(
        {
          reason: Type.Optional(Type.String({ maxLength: 1000, description: 'terminate: the reason recorded' })),
          rate_per_second: Type.Optional(
            Type.Number({
              minimum: BULK_RATE.min,
              maximum: BULK_RATE.max,
              description: `Items acted on per second [${BULK_RATE.default}]`,
            }),
          ),
          dry_run: Type.Optional(Type.Boolean({ description: 'Only find and count the targets' })),
        },
        { additionalProperties: false },
      ),
    ),
    idempotency_key: key(
      "A repeated request with this key answers the first one's operation (or header Idempotency-Key)",
    ),
  },
  { additionalProperties: false },
);

const nullableTime = { type: ['string', 'null'] };
const operation = {
  type: 'object',
  required: ['id', 'action', 'filter', 'status', 'matched', 'succeeded', 'failed', 'skipped'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    action: { enum: [...BULK_ACTIONS] },
    filter: { type: 'object' },
    options: { type: 'object' },
    status: { enum: [...OP_STATUSES] },
    dry_run: { type: 'boolean' },
    matched: { type: ['integer', 'null'], description: 'Targets found (null until they are)' },
    succeeded: { type: 'integer' },
    failed: { type: 'integer' },
    skipped: { type: 'integer', description: 'Targets already where the action would take them' },
    pending: { type: ['integer', 'null'] },
    rate_per_second: { type: 'number' },
    requested_by: { type: ['string', 'null'] },
    idempotency_key: { type: ['string', 'null'] },
    workflow_id: { type: ['string', 'null'] },
    error: {},
    started_at: nullableTime,
    completed_at: nullableTime,
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    failures: {
      type: 'array',
      description: 'The first failed items (all of them: GET .../items?status=failed)',
      items: { type: 'object', properties: { target_id: { type: 'string' }, error: {} } },
    },
  },
};
const item = {
  type: 'object',
  required: ['target_id', 'position', 'status'],
  properties: {
    bulk_operation_id: { type: 'string' },
    target_id: { type: 'string', description: 'A workflow_instances id or a dead letter id' },
    position: { type: 'integer' },
    status: { enum: [...ITEM_STATUSES] },
    result: {},
    error: {},
    processed_at: nullableTime,
  },
};

/** Routes under /bulk-operations. */
export const bulkOperationRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'post',
    path: '/bulk-operations',
    operationId: 'createBulkOperation',
    summary: 'Act on every run or dead letter a filter matches, as a tracked job at a bounded rate',
    tags: TAG,
    permission: 'bulk_operations:create',
    body: createBody,
    responses: {
      200: { description: 'The operation an earlier request with this idempotency key created', schema: operation },
      202: { description: 'Accepted: the operation runs in the background', schema: operation },
      403: problem,
      422: problem,
    },
    handler: async ({ deps, body, req, res }) => {
      const p = principalOf(res);
      const { operation: op, created } = await createBulkOperation(
        deps,
        { ...body, idempotency_key: req.get('idempotency-key')?.slice(0, 255) || body.idempotency_key },
        { username: p.username, userId: p.userId, holds: (perm) => can(p, perm) },
      );
      return { status: created ? 202 : 200, body: op, headers: { Location: `/api/v1/bulk-operations/${op.id}` } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/bulk-operations',
    operationId: 'listBulkOperations',
    summary: 'List bulk operations, newest first',
    tags: TAG,
    permission: 'bulk_operations:read',
    query: listQuery({ status: OP_STATUSES }, { action: Enum(BULK_ACTIONS, { type: 'string' }) }),
    responses: { 200: { description: 'A page of operations', schema: pageSchema(operation) } },
    handler: async ({ deps, query }) => ({
      body: toPage(
        await listBulkOperationViews(
          deps,
          {
            status: query.status,
            action: query.action,
            createdAfter: query.created_after,
            createdBefore: query.created_before,
          },
          query,
        ),
      ),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/bulk-operations/:id',
    operationId: 'getBulkOperation',
    summary: 'A bulk operation: its progress and first failures',
    tags: TAG,
    permission: 'bulk_operations:read',
    params: idParams,
    responses: { 200: { description: 'The operation', schema: operation }, 404: problem },
    handler: async ({ deps, params }) => ({ body: await getBulkOperationView(deps, params.id) }),
  }),
  defineRoute({
    method: 'get',
    path: '/bulk-operations/:id/items',
    operationId: 'listBulkOperationItems',
    summary: "A bulk operation's items in match order (e.g. status=failed: each failure's target and reason)",
    tags: TAG,
    permission: 'bulk_operations:read',
    params: idParams,
    query: Type.Object(
      {
        status: Type.Optional(Enum(ITEM_STATUSES, { type: 'string' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        cursor: Type.Optional(
          Type.String({ maxLength: 512, description: 'Opaque `next_cursor` of the previous page' }),
        ),
      },
      { additionalProperties: false },
    ),
    responses: { 200: { description: 'A page of items', schema: pageSchema(item) }, 404: problem },
    handler: async ({ deps, params, query }) => ({
      body: toPage(
        await listBulkOperationItems(
          deps,
          params.id,
          { status: query.status },
          { limit: query.limit ?? 100, cursor: query.cursor },
        ),
      ),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/bulk-operations/:id/cancel',
    operationId: 'cancelBulkOperation',
    summary: 'Cancel: it stops after the current batch; items not acted on stay pending',
    tags: TAG,
    permission: 'bulk_operations:cancel',
    params: idParams,
    responses: { 202: { description: 'Cancellation requested', schema: operation }, 404: problem, 409: problem },
    handler: async ({ deps, params }) => ({ status: 202, body: await cancelBulkOperation(deps, params.id) }),
  }),
];
