/**
 * The human-task REST API on task rows (no run behind them): inbox scopes by user and role, filters and keyset
 * paging, visibility, claim conflicts (two concurrent claims: one 200, one 409), release, assign (needs
 * human_tasks:assign), comments, every action in the history, and a submission that does not fit the form
 * (422 listing every field error, the row unchanged). Completion against a real run: human-tasks-runs.int.test.ts.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { insertUser } from '../../db/repositories/auth-users';
import { changeAssignment } from '../../db/repositories/human-task-queries';
import { activateWorkflowDefinition, createWorkflowDefinition } from '../../services/definitions';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { addUserToRole, createRunRow, insertHumanTask } from '../helpers/human-tasks';

const WORK = ['human_tasks:read', 'human_tasks:work'];
let api: TestApi;
let alice: TestCaller; // role ht-approvers
let bob: TestCaller; // candidate by name
let carol: TestCaller; // unrelated
let admin: TestCaller; // human_tasks:admin + assign
let run: { instanceId: string; workflowId: string };
const role = `ht-approvers-${Date.now()}`;

beforeAll(async () => {
  api = await createTestApi();
  alice = await createTestCaller(api.deps, WORK, 'alice');
  bob = await createTestCaller(api.deps, WORK, 'bob');
  carol = await createTestCaller(api.deps, WORK, 'carol');
  admin = await createTestCaller(api.deps, [...WORK, 'human_tasks:assign', 'human_tasks:admin'], 'admin');
  await addUserToRole(api.deps.db, alice.userId, role);
  run = await createRunRow(api.deps.db);
});
afterAll(async () => api?.close());

const get = (c: TestCaller, url: string) => request(api.app).get(`/api/v1${url}`).set(c.bearer);
const post = (c: TestCaller, url: string, body: object = {}) =>
  request(api.app).post(`/api/v1${url}`).set(c.bearer).send(body);
const ids = (res: request.Response) => (res.body.items as Array<{ id: string }>).map((t) => t.id);

describe('lists', () => {
  it('When a task is offered to a role, then a member sees it in inbox and available, an unrelated user does not', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateRoles: [role] });
    for (const scope of ['inbox', 'available']) {
      const res = await get(alice, `/human-tasks?scope=${scope}`);
      expect(res.status).toBe(200);
      expect(ids(res)).toContain(id);
    }
    expect(ids(await get(alice, '/human-tasks'))).toContain(id); // inbox is the default
    expect(ids(await get(alice, '/human-tasks?scope=mine'))).not.toContain(id);
    expect(ids(await get(carol, '/human-tasks'))).not.toContain(id);
    expect((await get(carol, `/human-tasks/${id}`)).status).toBe(404);
    const detail = await get(alice, `/human-tasks/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id,
      workflow_instance_id: run.instanceId,
      workflow_id: run.workflowId,
      status: 'waiting',
      title: 'Approve expense',
      assignee: null,
      candidate_roles: [role],
      form: { componentId: 'expense-approval', version: '1.0.0', actions: [{ id: 'approve' }, { id: 'reject' }] },
      data: { amount: 120 },
      approvals: { required: 1, approve_action: 'approve', allow_starter: true },
      submissions: [],
      history: [{ kind: 'created', actor: 'system' }],
      allowed: { claim: true, release: false, complete: true, comment: true, assign: false },
    });
    const claimed = await post(alice, `/human-tasks/${id}/claim`);
    expect(claimed.body.allowed).toEqual({ claim: false, release: true, complete: true, comment: true, assign: false });
    expect((await get(admin, `/human-tasks/${id}`)).body.allowed).toMatchObject({ claim: false, assign: true });
  });

  it('When a task is assigned to a user, then it is in their inbox and mine, not in the candidates’ available list', async () => {
    const id = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      assignee: bob.username,
      candidateRoles: [role],
    });
    expect(ids(await get(bob, '/human-tasks?scope=mine'))).toContain(id);
    expect(ids(await get(bob, '/human-tasks'))).toContain(id);
    expect(ids(await get(alice, '/human-tasks?scope=available'))).not.toContain(id);
    expect(ids(await get(alice, '/human-tasks'))).not.toContain(id);
  });

  it('When scope=all is asked, then only human_tasks:admin gets it (403 otherwise), with every task', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateUsers: ['nobody'] });
    expect((await get(alice, '/human-tasks?scope=all')).status).toBe(403);
    const res = await get(admin, `/human-tasks?scope=all&workflow_instance_id=${run.instanceId}&limit=200`);
    expect(res.status).toBe(200);
    expect(ids(res)).toContain(id);
    expect((await get(admin, `/human-tasks/${id}`)).status).toBe(200);
  });

  it('When filtered by status, definition, assignee and due time, then only matching tasks are listed', async () => {
    const other = await createRunRow(api.deps.db);
    const soon = new Date(Date.now() + 3_600_000);
    const late = new Date(Date.now() + 86_400_000 * 3);
    const dueSoon = await insertHumanTask(api.deps.db, {
      workflowInstanceId: other.instanceId,
      candidateUsers: [bob.username],
      dueAt: soon,
    });
    const dueLate = await insertHumanTask(api.deps.db, {
      workflowInstanceId: other.instanceId,
      candidateUsers: [bob.username],
      dueAt: late,
    });
    const done = await insertHumanTask(api.deps.db, {
      workflowInstanceId: other.instanceId,
      candidateUsers: [bob.username],
      status: 'completed',
    });
    const mine = await insertHumanTask(api.deps.db, { workflowInstanceId: other.instanceId, assignee: alice.username });

    const byDef = ids(await get(bob, `/human-tasks?workflow_id=${other.workflowId}`));
    expect(byDef.sort()).toEqual([dueSoon, dueLate].sort());
    const due = new Date(Date.now() + 86_400_000).toISOString();
    expect(ids(await get(bob, `/human-tasks?workflow_id=${other.workflowId}&due_before=${due}`))).toEqual([dueSoon]);
    expect(ids(await get(bob, `/human-tasks?workflow_id=${other.workflowId}&status=completed`))).toEqual([done]);
    expect(
      ids(await get(admin, `/human-tasks?scope=all&workflow_id=${other.workflowId}&assignee=${alice.username}`)),
    ).toEqual([mine]);
    expect(ids(await get(bob, `/human-tasks?workflow_instance_id=${other.instanceId}`)).sort()).toEqual(
      [dueSoon, dueLate].sort(),
    );
    expect((await get(bob, '/human-tasks?scope=everything')).status).toBe(400);
  });

  it('When the inbox spans pages, then following next_cursor lists every task once, newest first', async () => {
    const paged = await createRunRow(api.deps.db);
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push(
        await insertHumanTask(api.deps.db, {
          workflowInstanceId: paged.instanceId,
          candidateUsers: [carol.username],
          createdAt: new Date(Date.now() - (10 - i) * 1000),
        }),
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        carol,
        `/human-tasks?workflow_id=${paged.workflowId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res));
      cursor = res.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });
});

describe('ordered by due time', () => {
  it('When sort=due is asked, then the soonest due come first, tasks without a due time last, and next_cursor keeps that order', async () => {
    const due = await createRunRow(api.deps.db);
    const hour = (h: number) => new Date(Date.now() + h * 3_600_000);
    const task = (dueAt?: Date) =>
      insertHumanTask(api.deps.db, { workflowInstanceId: due.instanceId, candidateUsers: [bob.username], dueAt });
    const [in3, none1, in1, none2, in2] = [
      await task(hour(3)),
      await task(),
      await task(hour(1)),
      await task(),
      await task(hour(2)),
    ];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        bob,
        `/human-tasks?workflow_id=${due.workflowId}&sort=due&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...ids(res));
      cursor = res.body.next_cursor as string | null;
    } while (cursor);
    // Ties (no due time) are ordered by id.
    expect(seen).toEqual([in1, in2, in3, ...[none1!, none2!].sort()]);
    // The default is still newest first.
    expect(ids(await get(bob, `/human-tasks?workflow_id=${due.workflowId}`))).toEqual([in2, none2, in1, none1, in3]);
    const bad = await get(bob, '/human-tasks?sort=sideways');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('/query/sort');
  });
});

describe('assignee picker', () => {
  it('When someone who may assign asks who a task could go to, then matching active users and roles are listed, prefix matches first', async () => {
    const id = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      candidateUsers: [bob.username],
    });
    const picker = (c: TestCaller, q: string) =>
      get(c, `/human-tasks/${id}/assignees?q=${encodeURIComponent(q)}&limit=50`);
    expect((await picker(bob, 'alice')).status).toBe(403); // human_tasks:assign only

    const byName = await picker(admin, alice.username);
    expect(byName.status).toBe(200);
    expect(byName.body.users).toEqual([{ username: alice.username, display_name: 'alice' }]);
    const roles = (await picker(admin, role.slice(0, -3))).body.roles as Array<{ role_id: string }>;
    expect(roles.map((r) => r.role_id)).toContain(role);
    // Case-insensitive, on the display name too; names that start with the text before those that only contain it.
    const tag = randomBytes(4).toString('hex');
    await insertUser(api.deps.db, { username: `zz${tag}` });
    await insertUser(api.deps.db, { username: `aa-zz${tag}` });
    await insertUser(api.deps.db, { username: `pp-${tag}`, display_name: `Pat ZZ${tag}` });
    const found = (await picker(admin, `ZZ${tag}`)).body.users as Array<{ username: string }>;
    expect(found.map((u) => u.username)).toEqual([`zz${tag}`, `aa-zz${tag}`, `pp-${tag}`]);

    // LIKE's own characters match themselves; a disabled user is not offered.
    expect((await picker(admin, `%${tag}`)).body).toEqual({ users: [], roles: [] });
    await api.deps
      .db('auth_service.users')
      .where({ username: `zz${tag}` })
      .update({ status: 'disabled' });
    expect(
      ((await picker(admin, `zz${tag}`)).body.users as Array<{ username: string }>).map((u) => u.username),
    ).toEqual([`aa-zz${tag}`, `pp-${tag}`]);

    expect((await get(admin, '/human-tasks/00000000-0000-4000-8000-000000000000/assignees')).status).toBe(404);
    expect((await get(admin, `/human-tasks/${id}/assignees?limit=51`)).status).toBe(400);
  });
});

describe('claim, release, assign', () => {
  it('When two candidates claim at once, then exactly one gets 200 and the other 409, and one claimed event is written', async () => {
    const id = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      candidateUsers: [bob.username],
      candidateRoles: [role],
    });
    const answers = await Promise.all([post(alice, `/human-tasks/${id}/claim`), post(bob, `/human-tasks/${id}/claim`)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = answers.find((r) => r.status === 200)!;
    const loser = answers.find((r) => r.status === 409)!;
    expect(loser.headers['content-type']).toMatch(/problem\+json/);
    const task = (await get(admin, `/human-tasks/${id}`)).body;
    expect(task.assignee).toBe(winner.body.assignee);
    expect(task.claimed_at).toEqual(expect.any(String));
    expect(task.history.filter((e: { kind: string }) => e.kind === 'claimed')).toEqual([
      expect.objectContaining({ actor: winner.body.assignee }),
    ]);
  });

  it('When two conditional updates expect the same unclaimed row, then exactly one applies (the row lock decides)', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateRoles: [role] });
    const task = { id, workflow_instance_id: run.instanceId };
    const results = await Promise.all(
      [alice, bob, carol].map((c) =>
        changeAssignment(api.deps.db, task, null, { assignee: c.username }, { kind: 'claimed', actor: c.username }),
      ),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    const events = await api.deps
      .db('task_execution_service.human_task_events')
      .where({ task_instance_id: id, kind: 'claimed' });
    expect(events).toHaveLength(1);
  });

  it('When a user who is not a candidate claims, then 404 (not visible) and nothing changes', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateRoles: [role] });
    expect((await post(carol, `/human-tasks/${id}/claim`)).status).toBe(404);
    expect((await get(admin, `/human-tasks/${id}`)).body.assignee).toBeNull();
  });

  it('When the assignee releases, then the task is unclaimed again and back in the candidates’ available list', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateRoles: [role] });
    expect((await post(alice, `/human-tasks/${id}/claim`)).status).toBe(200);
    expect(ids(await get(alice, '/human-tasks?scope=available'))).not.toContain(id);
    const res = await post(alice, `/human-tasks/${id}/release`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ assignee: null, claimed_at: null });
    expect(ids(await get(alice, '/human-tasks?scope=available'))).toContain(id);
    expect(res.body.history.map((e: { kind: string; actor: string }) => [e.kind, e.actor])).toEqual([
      ['created', 'system'],
      ['claimed', alice.username],
      ['released', alice.username],
    ]);
    // Not claimed any more: a second release is a conflict.
    expect((await post(alice, `/human-tasks/${id}/release`)).status).toBe(409);
  });

  it('When someone else releases a claimed task, then 403, unless they are an admin', async () => {
    const id = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      assignee: alice.username,
      candidateUsers: [bob.username],
    });
    expect((await post(bob, `/human-tasks/${id}/release`)).status).toBe(403);
    expect((await post(admin, `/human-tasks/${id}/release`)).status).toBe(200);
  });

  it('When a closed task is claimed, then 409', async () => {
    const id = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      candidateUsers: [bob.username],
      status: 'completed',
    });
    expect((await post(bob, `/human-tasks/${id}/claim`)).status).toBe(409);
  });

  it('When a task is assigned, then it needs human_tasks:assign, known users and roles, and is recorded', async () => {
    const id = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      candidateUsers: [bob.username],
    });
    expect((await post(bob, `/human-tasks/${id}/assign`, { assignee: carol.username })).status).toBe(403);
    const unknown = await post(admin, `/human-tasks/${id}/assign`, {
      assignee: 'no-such-user',
      candidate_roles: [role, 'no-such-role'],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/body/assignee',
      '/body/candidate_roles/1',
    ]);
    const res = await post(admin, `/human-tasks/${id}/assign`, { assignee: carol.username, candidate_roles: [role] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      assignee: carol.username,
      candidate_users: [bob.username],
      candidate_roles: [role],
    });
    expect(res.body.history.at(-1)).toMatchObject({
      kind: 'assigned',
      actor: admin.username,
      details: { assignee: carol.username, previous: { assignee: null } },
    });
    expect(ids(await get(carol, '/human-tasks?scope=mine'))).toContain(id);
    const empty = await post(admin, `/human-tasks/${id}/assign`, {
      assignee: null,
      candidate_users: [],
      candidate_roles: [],
    });
    expect(empty.status).toBe(422);
  });
});

describe('comments', () => {
  it('When people comment, then the comments list them oldest first and the history records them', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateRoles: [role] });
    const first = await post(alice, `/human-tasks/${id}/comments`, { text: 'Looks fine' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ author: alice.username, text: 'Looks fine' });
    expect((await post(admin, `/human-tasks/${id}/comments`, { text: 'Agreed' })).status).toBe(201);
    expect((await post(alice, `/human-tasks/${id}/comments`, { text: '' })).status).toBe(422);
    expect((await post(carol, `/human-tasks/${id}/comments`, { text: 'hi' })).status).toBe(404);
    const list = await get(alice, `/human-tasks/${id}/comments`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { author: string; text: string }) => [c.author, c.text])).toEqual([
      [alice.username, 'Looks fine'],
      [admin.username, 'Agreed'],
    ]);
    const history = (await get(alice, `/human-tasks/${id}`)).body.history;
    expect(history.filter((e: { kind: string }) => e.kind === 'commented')).toHaveLength(2);
  });
});

describe('complete: the form check', () => {
  it('When the data does not fit the form, then 422 lists every field error and nothing is recorded', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateRoles: [role] });
    const before = await api.deps.db('task_execution_service.task_instances').where({ id }).first();
    const res = await post(alice, `/human-tasks/${id}/complete`, {
      action: 'reject',
      data: { decision_note: 'no', extra_count: 1 },
    });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([{ pointer: '/body/data/decision_note', message: expect.stringMatching(/fewer than 3/) }]),
    );
    // Missing required field (schema) and required-by-action, and an unknown action: every one listed.
    const missing = await post(alice, `/human-tasks/${id}/complete`, { action: 'reject', data: { amount: 'x' } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/body/data/decision_note', message: expect.stringMatching(/required property/) },
        { pointer: '/body/data/decision_note', message: 'is required by action reject' },
      ]),
    );
    // `amount` is read-only: the prefilled 120 is what counts, so a bad submitted value is no error.
    expect(missing.body.errors.map((e: { pointer: string }) => e.pointer)).not.toContain('/body/data/amount');
    const unknownAction = await post(alice, `/human-tasks/${id}/complete`, {
      action: 'escalate',
      data: { decision_note: 'x' },
    });
    expect(unknownAction.status).toBe(422);
    expect(unknownAction.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      '/body/action',
      '/body/data/decision_note',
    ]);
    const after = await api.deps.db('task_execution_service.task_instances').where({ id }).first();
    expect(after).toEqual(before);
    const events = await api.deps.db('task_execution_service.human_task_events').where({ task_instance_id: id });
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(['created']);
  });

  it('When a non-candidate completes, then 404; when someone else holds the task, then 409; a closed task 409', async () => {
    const id = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      assignee: bob.username,
      candidateRoles: [role],
    });
    const body = { action: 'approve', data: { decision_note: 'fine' } };
    expect((await post(carol, `/human-tasks/${id}/complete`, body)).status).toBe(404);
    expect((await post(alice, `/human-tasks/${id}/complete`, body)).status).toBe(409);
    const closed = await insertHumanTask(api.deps.db, {
      workflowInstanceId: run.instanceId,
      candidateRoles: [role],
      status: 'completed',
    });
    expect((await post(alice, `/human-tasks/${closed}/complete`, body)).status).toBe(409);
  });
});

describe('complete: no run to submit to', () => {
  it('When the run is missing in Temporal or already finished, then a valid submission is 409 and nothing is recorded', async () => {
    const id = await insertHumanTask(api.deps.db, { workflowInstanceId: run.instanceId, candidateRoles: [role] });
    const body = { action: 'approve', data: { decision_note: 'fine' } };
    const missing = await post(alice, `/human-tasks/${id}/complete`, body);
    expect(missing.status).toBe(409);
    const finished = await createRunRow(api.deps.db);
    await api.deps
      .db('workflow_orchestrator_service.workflow_instances')
      .where({ id: finished.instanceId })
      .update({ status: 'completed' });
    const other = await insertHumanTask(api.deps.db, {
      workflowInstanceId: finished.instanceId,
      candidateRoles: [role],
    });
    const closed = await post(alice, `/human-tasks/${other}/complete`, body);
    expect(closed.status).toBe(409);
    expect(closed.body.detail).toMatch(/no longer running/);
    const events = await api.deps
      .db('task_execution_service.human_task_events')
      .whereIn('task_instance_id', [id, other]);
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'created']);
  });
});

describe('who started a run', () => {
  it('When a run is started through the API, then its trigger records the caller as startedBy', async () => {
    const starter = await createTestCaller(api.deps, ['workflow_instances:start'], 'starter');
    const workflowId = `started-by-${Date.now()}`;
    await createWorkflowDefinition(api.deps.db, {
      workflow_id: workflowId,
      name: 'started by',
      version: '1.0.0',
      steps: [{ id: 'wait', type: 'wait_for_event', event: 'never.happens', timeout: '1m' }],
    });
    await activateWorkflowDefinition(api.deps.db, workflowId, '1.0.0');
    const res = await request(api.app)
      .post(`/api/v1/workflow-definitions/${workflowId}/runs`)
      .set(starter.keyHeader)
      .send({ input: {} });
    expect(res.status).toBe(201);
    expect(res.body.trigger).toEqual({ kind: 'api', startedBy: starter.username });
    const row = await api.deps
      .db('workflow_orchestrator_service.workflow_instances')
      .where({ id: res.body.id })
      .first();
    expect(row.trigger).toEqual({ kind: 'api', startedBy: starter.username });
    await api.deps.temporal.workflow.getHandle(row.temporal_workflow_id).terminate('test done');
  });
});
