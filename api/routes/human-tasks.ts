/**
 * REST for human tasks (#12): the inbox lists, one task with its form, data, submissions and history, and what
 * people do to tasks (claim, release, assign, complete, comment). The caller's username and role ids decide
 * which tasks they see and may work on; human_tasks:admin sees and acts on every task.
 */
import { Type } from '@sinclair/typebox';
import type { Response } from 'express';
import {
  addComment,
  assigneeChoices,
  assignTask,
  claimTask,
  completeTask,
  getTask,
  listComments,
  listTasks,
  releaseTask,
  resolveActor,
  type ResolvedActor,
} from '../../services/human-tasks';
import { HUMAN_TASK_EVENT_KINDS, HUMAN_TASK_SORTS } from '../../common/contracts/human-tasks';
import { can, principalOf } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { listQuery, pageSchema } from '../http/list-query';
import { toPage } from '../http/pagination';
import { defineRoute, type RouteDefinition } from '../http/route';
import { AnyObject, Enum, Nullable, Uuid } from '../http/schema';
import { problem } from './engine-schemas';

const TAG = ['human-tasks'];
const STATUSES = ['waiting', 'completed', 'cancelled'] as const;
const SCOPES = ['inbox', 'mine', 'available', 'all'] as const;
const params = Type.Object({ id: Uuid() });
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const strings = { type: 'array', items: { type: 'string' } };

const summaryProperties = {
  id: { type: 'string', format: 'uuid' },
  workflow_instance_id: { type: 'string', format: 'uuid' },
  workflow_id: { type: ['string', 'null'], description: 'Business id of the run’s definition' },
  step_id: { type: 'string' },
  status: { type: 'string', description: '`waiting` while open, then `completed` or `cancelled` (withdrawn)' },
  title: { type: 'string' },
  assignee: { type: ['string', 'null'], description: 'Username; null = unclaimed, offered to the candidates' },
  candidate_users: strings,
  candidate_roles: strings,
  due_at: nullableTime,
  claimed_at: nullableTime,
  created_at: time,
  completed_at: nullableTime,
};
const summary = { type: 'object', required: Object.keys(summaryProperties), properties: summaryProperties };
const historyItem = {
  type: 'object',
  required: ['id', 'kind', 'actor', 'details', 'at'],
  properties: {
    id: { type: 'string' },
    kind: { enum: [...HUMAN_TASK_EVENT_KINDS] },
    actor: { type: 'string', description: "Username, or 'system' for what the run did" },
    details: { type: 'object' },
    at: time,
  },
};
const detail = {
  type: 'object',
  required: [...Object.keys(summaryProperties), 'form', 'data', 'submissions', 'history'],
  properties: {
    ...summaryProperties,
    description: { type: ['string', 'null'] },
    form: {
      type: ['object', 'null'],
      description: 'The form snapshot (UI component version): schema, layout, actions',
      properties: {
        componentId: { type: 'string' },
        version: { type: 'string' },
        name: { type: 'string' },
        schema: { type: ['object', 'boolean'] },
        layout: { type: 'object' },
        actions: { type: 'array', items: { type: 'object' } },
        uiSchema: { type: 'object' },
      },
    },
    data: { description: 'Prefilled data' },
    approvals: {
      type: ['object', 'null'],
      properties: {
        required: { type: 'integer' },
        approve_action: { type: 'string' },
        allow_starter: { type: 'boolean' },
      },
    },
    submissions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['submitted_by', 'action', 'data', 'at'],
        properties: {
          submitted_by: { type: 'string' },
          action: { type: 'string' },
          data: { type: 'object' },
          comment: { type: 'string' },
          at: { type: 'string' },
        },
      },
    },
    escalation_level: { type: 'integer' },
    output: {},
    history: { type: 'array', items: historyItem },
    allowed: {
      type: 'object',
      description: 'What the caller may do to the task now (a claim may still lose a race)',
      required: ['claim', 'release', 'complete', 'comment', 'assign'],
      properties: {
        claim: { type: 'boolean' },
        release: { type: 'boolean' },
        complete: { type: 'boolean' },
        comment: { type: 'boolean' },
        assign: { type: 'boolean' },
      },
    },
  },
};
const comment = {
  type: 'object',
  required: ['id', 'author', 'text', 'at'],
  properties: { id: { type: 'string' }, author: { type: 'string' }, text: { type: 'string' }, at: time },
};
const username = Type.String({ minLength: 1, maxLength: 255 });
const roleId = Type.String({ minLength: 1, maxLength: 255 });

/** The caller with their roles and whether they hold human_tasks:admin. */
async function actorOf(deps: ApiDeps, res: Response): Promise<ResolvedActor> {
  const p = principalOf(res);
  return resolveActor(deps.db, {
    userId: p.userId,
    username: p.username,
    admin: can(p, 'human_tasks:admin'),
    assign: can(p, 'human_tasks:assign'),
    work: can(p, 'human_tasks:work'),
  });
}

/** Routes under /human-tasks. */
export const humanTaskRoutes: RouteDefinition[] = [
  defineRoute({
    method: 'get',
    path: '/human-tasks',
    operationId: 'listHumanTasks',
    summary:
      'List human tasks, newest first or soonest due first: scope inbox (mine + unclaimed offered to me or my roles), mine, available, all (human_tasks:admin)',
    tags: TAG,
    permission: 'human_tasks:read',
    query: listQuery(
      { status: STATUSES },
      {
        scope: Enum(SCOPES, { type: 'string', default: 'inbox' }),
        workflow_id: Type.String({ minLength: 1, maxLength: 255, description: 'Business id of the definition' }),
        workflow_instance_id: Uuid(),
        assignee: username,
        due_before: Type.String({ format: 'date-time', description: 'Only tasks due before this instant' }),
        sort: Enum(HUMAN_TASK_SORTS, {
          type: 'string',
          default: 'created',
          description:
            'created: newest first; due: soonest due first, tasks without a due time last (a cursor pages only the order it came from)',
        }),
      },
    ),
    responses: {
      200: { description: 'A page of task summaries (status defaults to waiting)', schema: pageSchema(summary) },
      403: problem,
    },
    handler: async ({ deps, query, res }) => {
      const page = await listTasks(
        deps.db,
        await actorOf(deps, res),
        {
          scope: query.scope,
          status: query.status,
          workflowId: query.workflow_id,
          workflowInstanceId: query.workflow_instance_id,
          assignee: query.assignee,
          dueBefore: query.due_before ? new Date(query.due_before) : undefined,
          createdAfter: query.created_after,
          createdBefore: query.created_before,
          sort: query.sort,
        },
        query,
      );
      return { body: toPage(page) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/human-tasks/:id',
    operationId: 'getHumanTask',
    summary: 'A human task offered or assigned to me (any, for human_tasks:admin): form, data, submissions, history',
    tags: TAG,
    permission: 'human_tasks:read',
    params,
    responses: { 200: { description: 'The task', schema: detail }, 404: problem },
    handler: async ({ deps, params: p, res }) => ({ body: await getTask(deps.db, p.id, await actorOf(deps, res)) }),
  }),
  defineRoute({
    method: 'post',
    path: '/human-tasks/:id/claim',
    operationId: 'claimHumanTask',
    summary: 'Claim an unclaimed task I am a candidate of (409 when someone else holds it or it is closed)',
    tags: TAG,
    permission: 'human_tasks:work',
    params,
    responses: { 200: { description: 'Claimed', schema: detail }, 403: problem, 404: problem, 409: problem },
    handler: async ({ deps, params: p, res }) => ({ body: await claimTask(deps, p.id, await actorOf(deps, res)) }),
  }),
  defineRoute({
    method: 'post',
    path: '/human-tasks/:id/release',
    operationId: 'releaseHumanTask',
    summary: 'Give a claimed task back to its candidates (its assignee, or human_tasks:admin)',
    tags: TAG,
    permission: 'human_tasks:work',
    params,
    responses: { 200: { description: 'Released', schema: detail }, 403: problem, 404: problem, 409: problem },
    handler: async ({ deps, params: p, res }) => ({ body: await releaseTask(deps, p.id, await actorOf(deps, res)) }),
  }),
  defineRoute({
    method: 'post',
    path: '/human-tasks/:id/assign',
    operationId: 'assignHumanTask',
    summary: 'Reassign an open task: assignee (null = unclaimed) and/or candidate users and roles',
    tags: TAG,
    permission: 'human_tasks:assign',
    params,
    body: Type.Object(
      {
        assignee: Type.Optional(Nullable(username)),
        candidate_users: Type.Optional(Type.Array(username, { maxItems: 100 })),
        candidate_roles: Type.Optional(Type.Array(roleId, { maxItems: 100 })),
      },
      { additionalProperties: false },
    ),
    responses: {
      200: { description: 'Reassigned', schema: detail },
      404: problem,
      409: problem,
      422: problem,
    },
    handler: async ({ deps, params: p, body, res }) => ({
      body: await assignTask(deps, p.id, await actorOf(deps, res), body),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/human-tasks/:id/assignees',
    operationId: 'listHumanTaskAssignees',
    summary:
      'Who the task could be given to, for a picker: active users and roles whose name or id contains q (prefix matches first)',
    tags: TAG,
    permission: 'human_tasks:assign',
    params,
    query: Type.Object(
      {
        q: Type.Optional(Type.String({ maxLength: 255, default: '', description: 'Part of a name or id' })),
        limit: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 50, default: 20, description: 'At most this many users and roles' }),
        ),
      },
      { additionalProperties: false },
    ),
    responses: {
      200: {
        description: 'Matching users and roles',
        schema: Type.Object({
          users: Type.Array(Type.Object({ username: Type.String(), display_name: Nullable(Type.String()) })),
          roles: Type.Array(Type.Object({ role_id: Type.String(), name: Type.String() })),
        }),
      },
      404: problem,
    },
    handler: async ({ deps, params: p, query }) => ({
      body: await assigneeChoices(deps.db, p.id, query.q ?? '', query.limit ?? 20),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/human-tasks/:id/complete',
    operationId: 'completeHumanTask',
    summary:
      'Submit the form with an action: validated against the form (422 with every field error, nothing recorded), then sent to the run',
    tags: TAG,
    permission: 'human_tasks:work',
    params,
    body: Type.Object(
      {
        action: Type.String({ minLength: 1, maxLength: 100, description: 'One of the form’s action ids' }),
        data: AnyObject({ description: 'The form data' }),
        comment: Type.Optional(Type.String({ maxLength: 4000 })),
      },
      { additionalProperties: false },
    ),
    responses: {
      200: {
        description: 'Accepted by the run: the task as the run left it, and whether it completed',
        schema: {
          type: 'object',
          required: ['task', 'result'],
          properties: {
            task: detail,
            result: {
              type: 'object',
              required: ['status', 'approvals', 'required'],
              properties: {
                status: { enum: ['completed', 'recorded'] },
                approvals: { type: 'integer' },
                required: { type: 'integer' },
              },
            },
          },
        },
      },
      403: problem,
      404: problem,
      409: problem,
      422: problem,
      503: problem,
    },
    handler: async ({ deps, params: p, body, res }) => ({
      body: await completeTask(deps, p.id, await actorOf(deps, res), body),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/human-tasks/:id/comments',
    operationId: 'listHumanTaskComments',
    summary: 'The comments on a task, oldest first',
    tags: TAG,
    permission: 'human_tasks:read',
    params,
    responses: {
      200: {
        description: 'Comments',
        schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: comment } } },
      },
      404: problem,
    },
    handler: async ({ deps, params: p, res }) => ({
      body: { items: await listComments(deps.db, p.id, await actorOf(deps, res)) },
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/human-tasks/:id/comments',
    operationId: 'addHumanTaskComment',
    summary: 'Comment on a task (recorded in its history)',
    tags: TAG,
    permission: 'human_tasks:work',
    params,
    body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }, { additionalProperties: false }),
    responses: { 201: { description: 'The comment', schema: comment }, 404: problem },
    handler: async ({ deps, params: p, body, res }) => ({
      status: 201,
      body: await addComment(deps.db, p.id, await actorOf(deps, res), body.text),
    }),
  }),
];
