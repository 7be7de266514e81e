/**
 * Completing human tasks through REST against real runs (real Temporal worker, real PostgreSQL): a run waiting on
 * a human_task step completes when its task is submitted (200, the run completes); a second submission is 409;
 * of two concurrent submissions exactly one wins; invalid data is 422 and the run keeps waiting; N-of-M approvals
 * record each approval and refuse a duplicate; the run's starter may not approve when the step forbids it (403),
 * also when the run was started by an event (its authenticated publisher is the starter; metadata cannot claim one).
 */
import request from 'supertest';
import { createTestApiWithWorker } from '../api/fixtures/worker';
import { insertExpenseForm, runWaitingOnTask } from '../api/fixtures/human-tasks';
import { activateWorkflowDefinition, createWorkflowDefinition } from '../../services/definitions';
import { createTrigger } from '../../services/events/triggers';
import { eventDefinitions } from '../../db/repositories/event-definitions';
import type { TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

jest.setTimeout(90_000);
const WORK = ['human_tasks:read', 'human_tasks:work'];
let api: TestApi;
let form: string;
let alice: TestCaller;
let bob: TestCaller;

beforeAll(async () => {
  api = await createTestApiWithWorker('ht-rest');
  form = await insertExpenseForm(api.deps, true);
  alice = await createTestCaller(api.deps, WORK, 'alice');
  bob = await createTestCaller(api.deps, WORK, 'bob');
});
afterAll(async () => api?.close());

const complete = (c: TestCaller, id: string, body: object) =>
  request(api.app).post(`/api/v1/human-tasks/${id}/complete`).set(c.bearer).send(body);
const approve = { action: 'approve', data: { decision_note: 'fine by me' } };

/** A self-approval definition (the step forbids the starter's approval), active; returns its workflow id. */
async function selfApprovalFlow(name: string, candidates: string[]): Promise<string> {
  const workflowId = `${name}-${Date.now()}`;
  await createWorkflowDefinition(api.deps.db, {
    workflow_id: workflowId,
    name: 'self approval',
    version: '1.0.0',
    steps: [
      {
        id: 'review',
        type: 'human_task',
        form: { component_id: form, version: '1.0.0' },
        title: 'Approve',
        candidate_users: candidates,
        approvals: { required: 1, allow_starter: false },
      },
    ],
  });
  await activateWorkflowDefinition(api.deps.db, workflowId, '1.0.0');
  return workflowId;
}

/** The id of the human task the run opened (waits for it). */
async function taskOf(instanceId: string, caller: TestCaller): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const list = await request(api.app)
      .get(`/api/v1/human-tasks?workflow_instance_id=${instanceId}`)
      .set(caller.bearer);
    const id = list.body.items?.[0]?.id as string | undefined;
    if (id) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${instanceId} opened no human task`);
}

async function runStatus(instanceId: string, until?: string): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const row = (await api.deps
      .db('workflow_orchestrator_service.workflow_instances')
      .where({ id: instanceId })
      .first()) as { status: string };
    if (!until || row.status === until) return row.status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${instanceId} never reached ${until}`);
}

it('When the task is completed through REST, then 200 with the task completed, the run completes, and a second submission is 409', async () => {
  const { taskId, instanceId } = await runWaitingOnTask(api.deps, alice.username, form);
  const res = await complete(alice, taskId, { ...approve, comment: 'ok' });
  expect(res.status).toBe(200);
  expect(res.body.result).toEqual({ status: 'completed', approvals: 1, required: 1 });
  expect(res.body.task).toMatchObject({ id: taskId, status: 'completed' });
  expect(res.body.task.submissions).toEqual([
    expect.objectContaining({
      submitted_by: alice.username,
      action: 'approve',
      data: { amount: 120, decision_note: 'fine by me' },
    }),
  ]);
  expect(res.body.task.history.map((e: { kind: string }) => e.kind)).toEqual(
    expect.arrayContaining(['created', 'submitted', 'completed']),
  );
  expect(await runStatus(instanceId, 'completed')).toBe('completed');
  const again = await complete(alice, taskId, approve);
  expect(again.status).toBe(409);
  expect(again.headers['content-type']).toMatch(/problem\+json/);
});

it('When two candidates submit at once, then exactly one gets 200 and the other 409', async () => {
  const { taskId, instanceId } = await runWaitingOnTask(api.deps, alice.username, form, {
    candidate_users: [alice.username, bob.username],
  });
  const answers = await Promise.all([complete(alice, taskId, approve), complete(bob, taskId, approve)]);
  expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
  expect(await runStatus(instanceId, 'completed')).toBe('completed');
  const submissions = (await request(api.app).get(`/api/v1/human-tasks/${taskId}`).set(alice.bearer)).body.submissions;
  expect(submissions).toHaveLength(1);
});

it('When the data is invalid, then 422 with every pointer and the run keeps waiting on the unchanged task', async () => {
  const { taskId, instanceId } = await runWaitingOnTask(api.deps, alice.username, form);
  const res = await complete(alice, taskId, { action: 'reject', data: { decision_note: '' } });
  expect(res.status).toBe(422);
  expect(res.body.errors).toEqual(
    expect.arrayContaining([
      { pointer: '/body/data/decision_note', message: expect.stringMatching(/fewer than 3/) },
      { pointer: '/body/data/decision_note', message: 'is required by action reject' },
    ]),
  );
  const task = (await request(api.app).get(`/api/v1/human-tasks/${taskId}`).set(alice.bearer)).body;
  expect(task).toMatchObject({ status: 'waiting', submissions: [] });
  expect(task.history.map((e: { kind: string }) => e.kind)).toEqual(['created']);
  expect(await runStatus(instanceId, 'waiting')).toBe('waiting');
  expect((await complete(alice, taskId, approve)).status).toBe(200);
});

it('When two approvals are required, then the first is recorded, a duplicate is 409, and the second completes', async () => {
  const { taskId, instanceId } = await runWaitingOnTask(api.deps, alice.username, form, {
    candidate_users: [alice.username, bob.username],
    approvals: { required: 2 },
  });
  const first = await complete(alice, taskId, approve);
  expect(first.status).toBe(200);
  expect(first.body.result).toEqual({ status: 'recorded', approvals: 1, required: 2 });
  expect(first.body.task.status).toBe('waiting');
  expect((await complete(alice, taskId, approve)).status).toBe(409);
  const second = await complete(bob, taskId, approve);
  expect(second.status).toBe(200);
  expect(second.body.result).toEqual({ status: 'completed', approvals: 2, required: 2 });
  expect(await runStatus(instanceId, 'completed')).toBe('completed');
});

it('When the run’s starter approves and the step forbids self-approval, then 403, and another candidate may', async () => {
  const starter = await createTestCaller(api.deps, [...WORK, 'workflow_instances:start'], 'starter');
  const workflowId = await selfApprovalFlow('self-approval', [starter.username, bob.username]);
  const started = await request(api.app)
    .post(`/api/v1/workflow-definitions/${workflowId}/runs`)
    .set(starter.bearer)
    .send({ input: {} });
  expect(started.status).toBe(201);
  const taskId = await taskOf(started.body.id, starter);
  const self = await complete(starter, taskId, approve);
  expect(self.status).toBe(403);
  expect(self.body.detail).toMatch(/started this run/);
  expect((await complete(bob, taskId, approve)).status).toBe(200);
  expect(await runStatus(started.body.id, 'completed')).toBe('completed');
});

it('When a user publishes the event that starts the run, then that user is its starter: their approval is 403, another candidate’s completes it', async () => {
  const publisher = await createTestCaller(api.deps, [...WORK, 'events:publish'], 'publisher');
  const workflowId = await selfApprovalFlow('event-self-approval', [publisher.username, bob.username]);
  const pattern = `${workflowId}.submitted`;
  await eventDefinitions.upsert(api.deps.db, {
    event_id: `${workflowId}-submitted`,
    version: '1.0.0',
    name: 'submitted',
    pattern,
    status: 'active',
  });
  await createTrigger(api.deps.db, { workflowDefinitionId: workflowId, eventPattern: pattern, triggerType: 'START' });

  // The body claims bob in the envelope's own user fields: the publisher recorded is still the authenticated caller.
  const published = await request(api.app)
    .post('/api/v1/events')
    .set(publisher.bearer)
    .send({ pattern, payload: {}, metadata: { userId: bob.username, context: { type: 'user', id: bob.username } } });
  expect({ status: published.status, body: published.body }).toMatchObject({
    status: 202,
    body: { publishedBy: publisher.username, metadata: { userId: bob.username } },
  });

  let run: { id: string; trigger: Record<string, unknown> } | undefined;
  for (let i = 0; i < 150 && !run; i++) {
    run = (await api.deps
      .db('workflow_orchestrator_service.workflow_instances')
      .whereRaw(`trigger->>'eventId' = ?`, [published.body.eventId])
      .first('id', 'trigger')) as typeof run;
    if (!run) await new Promise((r) => setTimeout(r, 100));
  }
  expect(run?.trigger).toMatchObject({ kind: 'event', eventId: published.body.eventId, startedBy: publisher.username });
  const taskId = await taskOf(run!.id, publisher);

  const self = await complete(publisher, taskId, approve);
  expect(self.status).toBe(403);
  expect(self.body.detail).toMatch(/started this run/);
  expect((await complete(bob, taskId, approve)).status).toBe(200);
  expect(await runStatus(run!.id, 'completed')).toBe('completed');
});
