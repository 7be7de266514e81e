/**
 * REST of schedules over Temporal Schedules (#15 item 4): CRUD, live info, pause/unpause, trigger now, backfill.
 * Reads answer an `ETag`; a PATCH may send `If-Match` (412 when the schedule changed since).
 */
import { Type } from '@sinclair/typebox';
import { SCHEDULE_OVERLAP_POLICIES } from '../../common/contracts/schedules';
import { DURATION_PATTERN } from '../../common/definitions/duration';
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  findSchedule,
  listSchedules,
  setSchedulePaused,
  toScheduleResource,
  triggerSchedule,
  updateSchedule,
} from '../../services/schedules';
import { principalOf } from '../auth/principal';
import { checkIfMatch, etagHeader, etagOf } from '../http/etag';
import { listQuery, pageSchema } from '../http/list-query';
import { defineRoute, type JsonSchema, type RouteDefinition } from '../http/route';
import { Enum, Nullable } from '../http/schema';
import { problem } from './engine-schemas';
import { scheduleItem, scheduleView } from './schedule-schemas';

const TAG = ['schedules'];
const params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255, description: 'Row id or schedule_id' }) });
const duration = (description: string) => Type.String({ pattern: DURATION_PATTERN, maxLength: 64, description });
const dateTime = (description: string) => Type.String({ format: 'date-time', description });
const overlap = Enum(SCHEDULE_OVERLAP_POLICIES, { type: 'string' });
const cron = Type.String({ minLength: 1, maxLength: 255 });
const note = Type.String({ maxLength: 1000 });

const spec = Type.Object(
  {
    cron: Type.Optional(
      Type.Union([cron, Type.Array(cron, { minItems: 1, maxItems: 20 })], {
        description: 'Cron expression(s): 5 fields (minute hour day-of-month month day-of-week), 6 or 7; @daily...',
      }),
    ),
    intervals: Type.Optional(
      Type.Array(
        Type.Object(
          { every: duration('Period (at least 1s)'), offset: Type.Optional(duration('Shift within the period')) },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 20 },
      ),
    ),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone [UTC]' })),
    jitter: Type.Optional(duration('Each action is delayed by a random amount up to this')),
    start_at: Type.Optional(dateTime('No action before this instant')),
    end_at: Type.Optional(dateTime('No action after this instant')),
  },
  { additionalProperties: false },
);
const policies = Type.Object(
  {
    overlap: Type.Optional(overlap),
    catchup_window: Type.Optional(duration('How late a missed action may still run after an outage')),
    pause_on_failure: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const writable = {
  workflow_version: Type.Optional(Nullable(Type.String({ maxLength: 50, description: 'Pinned version [active]' }))),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  input: Type.Optional(
    Type.Unknown({ description: 'Static input, or a template with {% %} expressions ($scheduledTime, $schedule)' }),
  ),
  policies: Type.Optional(policies),
  note: Type.Optional(Nullable(note)),
};
const definitionId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$', description: 'Definition id' });
const createBody = Type.Object(
  {
    schedule_id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' }),
    workflow_id: definitionId,
    spec,
    ...writable,
    paused: Type.Optional(Type.Boolean({ description: 'Create it paused' })),
  },
  { additionalProperties: false },
);
const patchBody = Type.Object(
  { workflow_id: Type.Optional(definitionId), spec: Type.Optional(spec), ...writable },
  { additionalProperties: false, minProperties: 1 },
);
const accepted = (schema: JsonSchema) => ({ description: 'Accepted by Temporal', schema });

/** Routes under /schedules. */
export const scheduleRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/schedules',
    operationId: 'listSchedules',
    summary: 'List schedules, newest first (keyset pagination)',
    tags: TAG,
    permission: 'schedules:read',
    query: listQuery({ status: ['active', 'paused'] }, { workflow_id: definitionId }),
    responses: { 200: { description: 'A page of schedules', schema: pageSchema(scheduleItem) } },
    handler: async ({ deps, query }) => {
      const page = await listSchedules(deps.db, { ...query, workflowId: query.workflow_id }, query);
      return { body: { items: page.items.map(toScheduleResource), next_cursor: page.nextCursor } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/schedules',
    operationId: 'createSchedule',
    summary: 'Create a schedule (and its Temporal schedule)',
    tags: TAG,
    permission: 'schedules:write',
    body: createBody,
    responses: {
      201: { description: 'Created', schema: scheduleItem, headers: etagHeader },
      409: problem,
      422: problem,
    },
    handler: async ({ deps, body, res }) => {
      const row = await createSchedule(deps, body, principalOf(res).username);
      return {
        status: 201,
        body: toScheduleResource(row),
        headers: { ETag: etagOf(row), Location: `/api/v1/schedules/${row.id}` },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/schedules/:id',
    operationId: 'getSchedule',
    summary: "A schedule with Temporal's live info (next times, recent and running actions with their runs)",
    tags: TAG,
    permission: 'schedules:read',
    params,
    responses: { 200: { description: 'The schedule', schema: scheduleView, headers: etagHeader }, 404: problem },
    handler: async ({ deps, params: p }) => {
      const { row, info } = await describeSchedule(deps, await findSchedule(deps.db, p.id));
      return { body: { ...toScheduleResource(row), info }, headers: { ETag: etagOf(row) } };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/schedules/:id',
    operationId: 'updateSchedule',
    summary: 'Change a schedule (If-Match optional: 412 when it changed since you read it)',
    tags: TAG,
    permission: 'schedules:write',
    params,
    body: patchBody,
    responses: {
      200: { description: 'Updated', schema: scheduleItem, headers: etagHeader },
      404: problem,
      412: problem,
      422: problem,
    },
    handler: async ({ deps, params: p, body, req }) => {
      const current = await findSchedule(deps.db, p.id);
      checkIfMatch(req, etagOf(current), { required: false });
      const row = await updateSchedule(deps, current, body);
      return { body: toScheduleResource(row), headers: { ETag: etagOf(row) } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/schedules/:id',
    operationId: 'deleteSchedule',
    summary: 'Delete a schedule and its Temporal schedule (runs it started go on)',
    tags: TAG,
    permission: 'schedules:write',
    params,
    responses: { 204: { description: 'Deleted' }, 404: problem },
    handler: async ({ deps, params: p }) => {
      await deleteSchedule(deps, await findSchedule(deps.db, p.id));
      return { status: 204 };
    },
  }),
  ...(['pause', 'unpause'] as const).map((verb) =>
    defineRoute({
      method: 'post',
      path: `/schedules/:id/${verb}`,
      operationId: `${verb}Schedule`,
      summary: verb === 'pause' ? 'Pause a schedule (no actions until unpaused)' : 'Unpause a schedule',
      tags: TAG,
      permission: 'schedules:write',
      params,
      body: Type.Object({ note: Type.Optional(note) }, { additionalProperties: false }),
      responses: { 200: { description: 'The schedule', schema: scheduleItem }, 404: problem },
      handler: async ({ deps, params: p, body }) => {
        const row = await setSchedulePaused(deps, await findSchedule(deps.db, p.id), verb === 'pause', body.note);
        return { body: toScheduleResource(row), headers: { ETag: etagOf(row) } };
      },
    }),
  ),
  defineRoute({
    method: 'post',
    path: '/schedules/:id/trigger',
    operationId: 'triggerSchedule',
    summary: 'Take an action now (overlap policy of this action: allow_all unless given)',
    tags: TAG,
    permission: 'schedules:trigger',
    params,
    body: Type.Object({ overlap: Type.Optional(overlap) }, { additionalProperties: false }),
    responses: {
      202: accepted({ type: 'object', properties: { schedule_id: { type: 'string' }, overlap: { type: 'string' } } }),
      404: problem,
    },
    handler: async ({ deps, params: p, body }) => {
      const row = await findSchedule(deps.db, p.id);
      await triggerSchedule(deps, row, body.overlap);
      return { status: 202, body: { schedule_id: row.schedule_id, overlap: body.overlap ?? 'allow_all' } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/schedules/:id/backfill',
    operationId: 'backfillSchedule',
    summary: 'Take now every action the schedule would have taken in [start_at, end_at]',
    tags: TAG,
    permission: 'schedules:trigger',
    params,
    body: Type.Object(
      { start_at: dateTime('Range start'), end_at: dateTime('Range end'), overlap: Type.Optional(overlap) },
      { additionalProperties: false },
    ),
    responses: {
      202: accepted({
        type: 'object',
        properties: { schedule_id: { type: 'string' }, start_at: { type: 'string' }, end_at: { type: 'string' } },
      }),
      404: problem,
      422: problem,
    },
    handler: async ({ deps, params: p, body }) => {
      const row = await findSchedule(deps.db, p.id);
      await backfillSchedule(deps, row, body);
      return { status: 202, body: { schedule_id: row.schedule_id, start_at: body.start_at, end_at: body.end_at } };
    },
  }),
];
