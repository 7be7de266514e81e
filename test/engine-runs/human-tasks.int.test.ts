/**
 * The human_task step on the real stack (#12): the task_instances row and its events, submissions through the
 * `aosHumanTaskSubmit` Update (assignment, prefill, output mapping, N-of-M approvals, the rejections, concurrent
 * completion), escalations and the due time on durable timers (assign, emit, goto; `overdue`; rules counted from
 * the due time), cancellation withdrawing the task, and the form
 * of a manual task definition.
 */
import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import type { HumanTaskSubmission, HumanTaskSubmitResult } from '../../common/contracts/human-tasks';
import type { TriggerContext } from '../../common/definitions/types';
import { taskDefinitions } from '../../db/repositories/task-definitions';
import { createEventDefinition } from '../../services/definitions/event-definitions';
import { openHumanTask, recordHumanTask } from '../../services/human-tasks/runtime';
import { startRun } from '../../services/runs';
import { humanTaskSubmitUpdate, type InterpreterWorkflow } from '../../workflows/api';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

jest.setTimeout(60_000);
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const FORM = id('expense-approval');
const EVENT = `expense.overdue_${randomBytes(3).toString('hex')}`;
let h: RunHarness;

interface TaskRow {
  id: string;
  status: string;
  step_type: string;
  step_id: string;
  assignee: string | null;
  candidate_users: string[];
  candidate_roles: string[];
  due_at: Date | null;
  task_id: string | null;
  output: unknown;
  human_task: {
    title: string;
    description?: string;
    prefill?: unknown;
    form: { componentId: string; version: string; actions: Array<{ id: string }>; schema: unknown };
    submissions: Array<{ submittedBy: string; action: string }>;
    escalationLevel: number;
    starter?: string;
  };
}

const formRow = (version: string, status: string) => ({
  component_id: FORM,
  version,
  name: 'Expense approval',
  status,
  component_type: 'form',
  form_schema: JSON.stringify({
    type: 'object',
    properties: { amount: { type: 'number' }, decision_note: { type: 'string' } },
  }),
  layout: JSON.stringify({ sections: [{ title: 'Request', fields: ['amount'] }] }),
  actions: JSON.stringify([
    { id: 'approve', label: 'Approve', style: 'primary' },
    { id: 'reject', label: 'Reject', style: 'danger', requires: ['decision_note'] },
  ]),
});

beforeAll(async () => {
  h = await startRunHarness();
  await h.db('web_application_service.ui_components').insert([formRow('1.0.0', 'active'), formRow('2.0.0', 'draft')]);
  await createEventDefinition(h.db, { event_id: id('overdue'), name: 'overdue', pattern: EVENT, version: '1.0.0' });
});

afterAll(() => h?.close());

/** A one-step flow around `task` (extra steps after it), activated; returns its id. */
async function flow(task: Record<string, unknown>, more: unknown[] = [], extra: Record<string, unknown> = {}) {
  const workflowId = id('ht-flow');
  await activeWorkflow(h.db, {
    workflow_id: workflowId,
    steps: [{ id: 'review', type: 'human_task', form: { component_id: FORM }, title: 'Review', ...task }, ...more],
    ...extra,
  } as never);
  return workflowId;
}

async function start(workflowId: string, input: unknown = {}, trigger?: TriggerContext) {
  const res = await startRun(h.deps, { workflowId, input, ...(trigger && { trigger }) });
  if (!('instanceId' in res)) throw new Error('not started');
  return { instanceId: res.instanceId, handle: h.client.workflow.getHandle<InterpreterWorkflow>(res.workflowId) };
}

/** The run's human task rows (waits until the first one exists). */
async function taskOf(instanceId: string, status?: string): Promise<TaskRow> {
  return eventually(async () => {
    const row = (await h
      .db('task_execution_service.task_instances')
      .where({ workflow_instance_id: instanceId, step_type: 'human_task' })
      .orderBy('created_at', 'desc')
      .first()) as TaskRow | undefined;
    return row && (status === undefined || row.status === status) ? row : undefined;
  });
}

async function eventsOf(
  taskId: string,
): Promise<Array<{ kind: string; actor: string; details: Record<string, unknown> }>> {
  return h
    .db('task_execution_service.human_task_events')
    .where({ task_instance_id: taskId })
    .orderBy('created_at')
    .orderBy('kind');
}

function submit(
  handle: { executeUpdate: (...a: never[]) => Promise<unknown> },
  taskId: string,
  submittedBy: string,
  action = 'approve',
  data: Record<string, unknown> = {},
): Promise<HumanTaskSubmitResult> {
  const submission: HumanTaskSubmission = { taskId, action, data, submittedBy, at: new Date().toISOString() };
  return (handle as ReturnType<typeof h.client.workflow.getHandle<InterpreterWorkflow>>).executeUpdate(
    humanTaskSubmitUpdate,
    { args: [submission] },
  );
}

/** The rejection type of a refused submission. */
async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type ?? undefined;
}

async function instanceStatus(instanceId: string): Promise<string> {
  const row = (await h.db('workflow_orchestrator_service.workflow_instances').where({ id: instanceId }).first()) as {
    status: string;
  };
  return row.status;
}

it('assigns to a user, prefills the form, maps the output into result_var, and completes on the submission', async () => {
  const workflowId = await flow(
    {
      title: 'Approve {% $input.amount %} EUR for {% $input.employee %}',
      description: 'Expense of {% $input.employee %}',
      assignee: '{% $input.manager %}',
      prefill: { amount: '{% $input.amount %}' },
      due: 'P2D',
      output: {
        ok: "{% $output.action = 'approve' %}",
        by: '{% $output.submitted_by %}',
        note: '{% $output.data.note %}',
      },
      result_var: 'review',
    },
    [],
    { output: '{% { "review": $vars.review, "raw": $steps.review.output } %}' },
  );
  const { instanceId, handle } = await start(workflowId, { amount: 120, employee: 'Eve', manager: 'alice' });
  const row = await taskOf(instanceId);
  expect(row).toMatchObject({
    status: 'waiting',
    step_type: 'human_task',
    step_id: 'review',
    assignee: 'alice',
    candidate_users: [],
    candidate_roles: [],
  });
  expect(row.due_at!.getTime() - Date.now()).toBeGreaterThan(47 * 3600_000);
  expect(row.human_task).toMatchObject({
    title: 'Approve 120 EUR for Eve',
    description: 'Expense of Eve',
    prefill: { amount: 120 },
    form: { componentId: FORM, version: '1.0.0', actions: [{ id: 'approve' }, { id: 'reject' }] },
    submissions: [],
    escalationLevel: 0,
  });
  await eventually(async () => (await instanceStatus(instanceId)) === 'waiting');

  const result = await submit(handle, row.id, 'alice', 'approve', { note: 'fine' });
  expect(result).toEqual({ status: 'completed', approvals: 1, required: 1 });
  // The row shows the completion when the Update returns.
  const done = (await h.db('task_execution_service.task_instances').where({ id: row.id }).first()) as TaskRow;
  expect(done.status).toBe('completed');
  expect(done.output).toMatchObject({ action: 'approve', data: { note: 'fine' }, submitted_by: 'alice' });
  expect(done.human_task.submissions).toMatchObject([{ submittedBy: 'alice', action: 'approve' }]);
  expect((await eventsOf(row.id)).map((e) => e.kind).sort()).toEqual(['completed', 'created', 'submitted']);

  const output = (await handle.result()) as { review: unknown; raw: Record<string, unknown> };
  expect(output.review).toEqual({ ok: true, by: 'alice', note: 'fine' });
  expect(output.raw).toEqual({ ok: true, by: 'alice', note: 'fine' });
  await expect(submit(handle, row.id, 'alice')).rejects.toThrow(); // the run has ended
});

it('offers the task to candidate roles (an expression) and pins a form version', async () => {
  const workflowId = await flow({
    form: { component_id: FORM, version: '2.0.0' },
    candidate_roles: '{% [$input.role] %}',
    candidate_users: ['bob', 'carol'],
  });
  const { instanceId, handle } = await start(workflowId, { role: 'approvers' });
  const row = await taskOf(instanceId);
  expect(row).toMatchObject({ assignee: null, candidate_roles: ['approvers'], candidate_users: ['bob', 'carol'] });
  expect(row.human_task.form.version).toBe('2.0.0');
  expect(await refusal(submit(handle, row.id, 'bob', 'escalate'))).toBe('HumanTaskUnknownAction');
  await expect(submit(handle, row.id, 'bob', 'reject', { decision_note: 'no' })).resolves.toMatchObject({
    status: 'completed',
  });
  await expect(handle.result()).resolves.toMatchObject({ action: 'reject', submitted_by: 'bob' });
});

it('N-of-M approvals: the task completes on the second distinct approver; a duplicate approval is refused', async () => {
  const workflowId = await flow({ candidate_users: ['bob', 'carol', 'dave'], approvals: { required: 2 } });
  const { instanceId, handle } = await start(workflowId);
  const row = await taskOf(instanceId);
  await expect(submit(handle, row.id, 'bob')).resolves.toEqual({ status: 'recorded', approvals: 1, required: 2 });
  const between = (await h.db('task_execution_service.task_instances').where({ id: row.id }).first()) as TaskRow;
  expect(between.status).toBe('waiting');
  expect(between.human_task.submissions).toMatchObject([{ submittedBy: 'bob' }]);
  expect(await refusal(submit(handle, row.id, 'bob'))).toBe('HumanTaskDuplicateApproval');
  await expect(submit(handle, row.id, 'carol')).resolves.toEqual({ status: 'completed', approvals: 2, required: 2 });
  const output = (await handle.result()) as { submitted_by: string; approvals: Array<{ submitted_by: string }> };
  expect(output.submitted_by).toBe('carol');
  expect(output.approvals.map((a) => a.submitted_by)).toEqual(['bob', 'carol']);
  expect((await eventsOf(row.id)).filter((e) => e.kind === 'submitted')).toHaveLength(2);
});

it("refuses the starter's self-approval when allow_starter is false", async () => {
  const workflowId = await flow({
    candidate_users: ['alice', 'bob'],
    approvals: { required: 1, allow_starter: false },
  });
  const { instanceId, handle } = await start(workflowId, {}, { kind: 'api', startedBy: 'alice' });
  const row = await taskOf(instanceId);
  expect(await refusal(submit(handle, row.id, 'alice'))).toBe('HumanTaskSelfApproval');
  expect((await taskOf(instanceId)).status).toBe('waiting');
  await expect(submit(handle, row.id, 'bob')).resolves.toMatchObject({ status: 'completed' });
  await expect(handle.result()).resolves.toMatchObject({ submitted_by: 'bob' });
});

it("refuses the parent's starter in a sub-workflow's human task too (the child inherits trigger.startedBy)", async () => {
  const child = await flow({ candidate_users: ['alice', 'bob'], approvals: { required: 1, allow_starter: false } });
  const parent = id('ht-parent');
  await activeWorkflow(h.db, {
    workflow_id: parent,
    steps: [{ id: 'call', type: 'sub_workflow', workflow: child }],
  } as never);
  const { instanceId, handle } = await start(parent, {}, { kind: 'api', startedBy: 'alice' });
  const childRow = await eventually(
    async () =>
      (await h
        .db('workflow_orchestrator_service.workflow_instances')
        .where({ parent_instance_id: instanceId })
        .first()) as { id: string; temporal_workflow_id: string; trigger: TriggerContext } | undefined,
  );
  expect(childRow.trigger).toMatchObject({ kind: 'sub_workflow', parentInstanceId: instanceId, startedBy: 'alice' });
  const row = await taskOf(childRow.id);
  const childHandle = h.client.workflow.getHandle<InterpreterWorkflow>(childRow.temporal_workflow_id);
  expect(await refusal(submit(childHandle, row.id, 'alice'))).toBe('HumanTaskSelfApproval');
  await expect(submit(childHandle, row.id, 'bob')).resolves.toMatchObject({ status: 'completed' });
  await handle.result();
});

it('of two concurrent submissions exactly one is accepted', async () => {
  const workflowId = await flow({ candidate_users: ['bob', 'carol'] });
  const { instanceId, handle } = await start(workflowId);
  const row = await taskOf(instanceId);
  const results = await Promise.allSettled([submit(handle, row.id, 'bob'), submit(handle, row.id, 'carol')]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect(((rejected.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('HumanTaskClosed');
  const done = await taskOf(instanceId, 'completed');
  expect(done.human_task.submissions).toHaveLength(1);
  await handle.result();
});

it('escalation: assign moves the task to the role after the duration, emit publishes an event', async () => {
  const workflowId = await flow({
    assignee: 'alice',
    escalations: [
      { after: '1s', emit: { event: EVENT, payload: { task: '{% $input.ref %}' } } },
      { after: '2s', assign: { role: 'managers' } },
    ],
  });
  const { instanceId, handle } = await start(workflowId, { ref: 'r-1' });
  const first = await taskOf(instanceId);
  const row = await eventually(async () => {
    const r = await taskOf(instanceId);
    return r.human_task.escalationLevel === 2 ? r : undefined;
  });
  expect(row).toMatchObject({ assignee: null, candidate_roles: ['managers'], status: 'waiting' });
  const escalated = (await eventsOf(first.id)).filter((e) => e.kind === 'escalated');
  expect(escalated.map((e) => e.details.level)).toEqual([1, 2]);
  const eventId = escalated[0].details.emittedEventId as string;
  const event = await eventually(() =>
    h.db('event_processing_service.event_instances').where({ event_id: eventId }).first(),
  );
  expect(event).toMatchObject({ pattern: EVENT, payload: { task: 'r-1' } });
  await expect(submit(handle, row.id, 'mia')).resolves.toMatchObject({ status: 'completed' });
  await handle.result();
});

it('due: the due time passing is recorded once, the task stays open, and a rule counted from it fires after it', async () => {
  const workflowId = await flow({
    assignee: 'alice',
    due: '2s',
    escalations: [{ after: '1s', from: 'due', assign: { role: 'managers' } }],
  });
  const { instanceId, handle } = await start(workflowId);
  const opened = await taskOf(instanceId);
  const openedAt = (
    (await h
      .db('task_execution_service.human_task_events')
      .where({ task_instance_id: opened.id, kind: 'created' })
      .first()) as {
      created_at: Date;
    }
  ).created_at.getTime();
  expect(opened.due_at!.getTime() - openedAt).toBe(2000);

  // After the due time: `overdue` (by the run), the task still waiting and still Alice's.
  const overdue = await eventually(async () => (await eventsOf(opened.id)).find((e) => e.kind === 'overdue'));
  expect(overdue).toMatchObject({ actor: 'system', details: { dueAt: opened.due_at!.toISOString() } });
  expect(await taskOf(instanceId)).toMatchObject({ status: 'waiting', assignee: 'alice' });
  expect(await instanceStatus(instanceId)).toBe('waiting');

  // One second after the due time the rule moves it to the role.
  const escalated = await eventually(async () => {
    const r = await taskOf(instanceId);
    return r.human_task.escalationLevel === 1 ? r : undefined;
  });
  expect(escalated).toMatchObject({ status: 'waiting', assignee: null, candidate_roles: ['managers'] });
  const events = await eventsOf(opened.id);
  const at = (kind: string) =>
    (events.find((e) => e.kind === kind) as unknown as { created_at: Date }).created_at.getTime() - openedAt;
  expect(at('overdue')).toBeGreaterThanOrEqual(2000);
  expect(at('escalated')).toBeGreaterThanOrEqual(3000);
  expect(at('escalated')).toBeLessThan(6000);

  await expect(submit(handle, opened.id, 'mia')).resolves.toMatchObject({ status: 'completed' });
  await handle.result();
  expect((await eventsOf(opened.id)).map((e) => e.kind).filter((k) => k === 'overdue')).toEqual(['overdue']);
});

it('due: a task completed before its due time records no overdue', async () => {
  const workflowId = await flow({ assignee: 'alice', due: '3s' });
  const { instanceId, handle } = await start(workflowId);
  const row = await taskOf(instanceId);
  await submit(handle, row.id, 'alice');
  await handle.result();
  // Past the due time: the run has ended, its timer went with it.
  await new Promise((r) => setTimeout(r, Math.max(0, row.due_at!.getTime() - Date.now()) + 500));
  expect((await eventsOf(row.id)).map((e) => e.kind)).not.toContain('overdue');
});

it('escalation goto withdraws the task and continues at the target step', async () => {
  const workflowId = await flow({ assignee: 'alice', escalations: [{ after: '1s', goto: 'auto_reject' }] }, [
    { id: 'approved', type: 'succeed', output: 'approved' },
    { id: 'auto_reject', type: 'succeed', output: 'auto-rejected' },
  ]);
  const { instanceId, handle } = await start(workflowId);
  const first = await taskOf(instanceId);
  await expect(handle.result()).resolves.toBe('auto-rejected');
  const row = await taskOf(instanceId, 'cancelled');
  expect((await eventsOf(row.id)).map((e) => e.kind)).toContain('withdrawn');
  expect(row.id).toBe(first.id);
});

it('cancelling the run withdraws its open task', async () => {
  const workflowId = await flow({ assignee: 'alice' });
  const { instanceId, handle } = await start(workflowId);
  const row = await taskOf(instanceId);
  await handle.cancel();
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const withdrawn = await taskOf(instanceId, 'cancelled');
  expect(withdrawn.id).toBe(row.id);
  const events = await eventsOf(row.id);
  expect(events.find((e) => e.kind === 'withdrawn')).toMatchObject({ actor: 'system' });
});

it("the step's timeout withdraws the task and fails the step with Timeout", async () => {
  const workflowId = await flow({ assignee: 'alice', timeout: '1s', catch: [{ errors: ['Timeout'], next: 'late' }] }, [
    { id: 'done', type: 'succeed', output: 'done' },
    { id: 'late', type: 'succeed', output: 'late' },
  ]);
  const { instanceId, handle } = await start(workflowId);
  await expect(handle.result()).resolves.toBe('late');
  const row = await taskOf(instanceId, 'cancelled');
  expect((await eventsOf(row.id)).map((e) => e.kind)).toContain('withdrawn');
});

it("the workflow's deadline withdraws the open task and fails the run with Timeout", async () => {
  const workflowId = await flow({ assignee: 'alice' }, [], { timeout: '1s' });
  const { instanceId, handle } = await start(workflowId);
  const err = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
  expect((err.cause as ApplicationFailure).type).toBe('Timeout');
  const row = await taskOf(instanceId, 'cancelled');
  expect((await eventsOf(row.id)).map((e) => e.kind)).toContain('withdrawn');
});

it('keeps two tasks of parallel branches open at once; each completes its own branch', async () => {
  const workflowId = id('ht-parallel');
  const ht = (stepId: string, assignee: string) => ({
    id: stepId,
    type: 'human_task',
    form: { component_id: FORM },
    title: stepId,
    assignee,
    output: '{% $output.submitted_by %}',
  });
  await activeWorkflow(h.db, {
    workflow_id: workflowId,
    steps: [
      {
        id: 'both',
        type: 'parallel',
        branches: [
          { id: 'finance', steps: [ht('finance_review', 'fin')] },
          { id: 'legal', steps: [ht('legal_review', 'law')] },
        ],
      },
    ],
  } as never);
  const { instanceId, handle } = await start(workflowId);
  const rows = await eventually(async () => {
    const r = (await h.db('task_execution_service.task_instances').where({
      workflow_instance_id: instanceId,
      step_type: 'human_task',
    })) as TaskRow[];
    return r.length === 2 ? r : undefined;
  });
  const byStep = Object.fromEntries(rows.map((r) => [r.step_id, r]));
  await submit(handle, byStep.legal_review.id, 'law');
  expect(
    (await h.db('task_execution_service.task_instances').where({ id: byStep.finance_review.id }).first()).status,
  ).toBe('waiting');
  await submit(handle, byStep.finance_review.id, 'fin');
  await expect(handle.result()).resolves.toEqual({ finance: 'fin', legal: 'law' });
});

it('writes idempotently: a repeated open or change (a retried activity) changes nothing twice', async () => {
  const workflowId = await flow({ assignee: 'alice' });
  const { instanceId, handle } = await start(workflowId);
  const running = await taskOf(instanceId);
  const req = {
    ctx: {
      instanceId,
      workflowId: handle.workflowId,
      runId: 'r',
      definitionId: workflowId,
      definitionVersion: '1.0.0',
      stepId: 'extra',
      stepPath: 'extra',
    },
    executionKey: `${instanceId}/extra`,
    title: 'Extra',
    form: { componentId: FORM },
    assignment: { assignee: 'bob', candidateUsers: [], candidateRoles: [] },
    approvals: { required: 1, approveAction: 'approve', allowStarter: true },
    at: '2026-12-02T10:00:00.000Z',
  };
  const first = await openHumanTask(h.db, req);
  await expect(openHumanTask(h.db, req)).resolves.toEqual(first);
  expect(first).toMatchObject({ componentId: FORM, version: '1.0.0', actions: ['approve', 'reject'] });
  const change = {
    kind: 'escalated' as const,
    taskId: first.taskId,
    level: 1,
    assignment: { assignee: null, candidateUsers: [], candidateRoles: ['managers'] },
    at: '2026-12-02T11:00:00.000Z',
  };
  await recordHumanTask(h.db, change);
  await recordHumanTask(h.db, change);
  const submission = {
    taskId: first.taskId,
    action: 'approve',
    data: {},
    submittedBy: 'mia',
    at: '2026-12-02T12:00:00.000Z',
  };
  const done = {
    kind: 'completed' as const,
    taskId: first.taskId,
    submission,
    output: { action: 'approve' },
    at: submission.at,
  };
  await recordHumanTask(h.db, done);
  await recordHumanTask(h.db, done);
  expect((await eventsOf(first.taskId)).map((e) => e.kind).sort()).toEqual([
    'completed',
    'created',
    'escalated',
    'submitted',
  ]);
  const row = (await h.db('task_execution_service.task_instances').where({ id: first.taskId }).first()) as TaskRow;
  expect(row).toMatchObject({ status: 'completed', assignee: null, candidate_roles: ['managers'] });
  expect(row.human_task.submissions).toHaveLength(1);
  expect(row.human_task.escalationLevel).toBe(1);
  await submit(handle, running.id, 'alice');
  await handle.result();
});

it("renders a manual task definition's form", async () => {
  const component = (await h
    .db('web_application_service.ui_components')
    .where({ component_id: FORM, version: '1.0.0' })
    .first()) as { id: string };
  const taskId = id('manual-review');
  await taskDefinitions.insert(h.db, {
    task_id: taskId,
    version: '1.0.0',
    name: 'Manual review',
    status: 'active',
    type: 'manual',
    ui_component_id: component.id,
    ui_component: { component_id: FORM, version: '1.0.0' },
  });
  const workflowId = id('ht-manual');
  await activeWorkflow(h.db, {
    workflow_id: workflowId,
    steps: [{ id: 'review', type: 'human_task', task: taskId, title: 'Review', assignee: 'alice' }],
  } as never);
  const { instanceId, handle } = await start(workflowId);
  const row = await taskOf(instanceId);
  expect(row.task_id).toBe(taskId);
  expect(row.human_task.form).toMatchObject({ componentId: FORM, version: '1.0.0' });
  await submit(handle, row.id, 'alice');
  await handle.result();
});

it('fails the step with FormNotFound when the form does not exist', async () => {
  const workflowId = await flow({ form: { component_id: id('missing') }, assignee: 'alice' });
  const { handle } = await start(workflowId);
  const err = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err.cause as ApplicationFailure).type).toBe('FormNotFound');
});
