/** The seeded example works end to end: `npm run seed` definitions run to completion on the real worker. */
import type { HumanTaskRecord, HumanTaskSubmission } from '../../common/contracts/human-tasks';
import { EXPENSE_SUBMITTED_EVENT, ORDER_CREATED_EVENT } from '../../db/seeds/examples';
import { seed } from '../../db/seeds';
import { getRunRow, startRun } from '../../services/runs';
import { humanTaskSubmitUpdate, type InterpreterWorkflow } from '../../workflows/api';
import { startRunHarness, type RunHarness } from './harness';

let h: RunHarness;
beforeAll(async () => {
  h = await startRunHarness();
  await seed(h.db);
});
afterAll(() => h.close());

it('the order-processing example totals the order and confirms it', async () => {
  const order = ORDER_CREATED_EVENT.examples![0] as { orderId: string; customer: { email: string } };
  const run = await startRun(h.deps, {
    workflowId: 'order-processing',
    input: { order },
    businessKey: `seed-demo-${Date.now()}`,
  });
  const output = await h.client.workflow.getHandle(run.workflowId, run.runId).result();
  expect(output).toEqual({ orderId: order.orderId, total: 25, confirmed: true });
  const row = await getRunRow({ db: h.db }, run.instanceId);
  expect(row?.status).toBe('completed');
  const tasks = await h
    .db('task_execution_service.task_instances')
    .where({ workflow_instance_id: run.instanceId })
    .orderBy('created_at')
    .pluck('step_id');
  expect(tasks).toEqual(['total', 'confirm']);
});

describe('the expense-approval example', () => {
  const expense = EXPENSE_SUBMITTED_EVENT.examples![0] as { expenseId: string; amount: number };

  it('asks an approver (role approvers or admin) with the request prefilled, and ends with their decision', async () => {
    const run = await startRun(h.deps, {
      workflowId: 'expense-approval',
      input: { expense },
      businessKey: `seed-expense-${Date.now()}`,
    });
    const task = await waitForTask(run.instanceId);
    expect(task).toMatchObject({ status: 'waiting', assignee: null, candidate_roles: ['approvers', 'admin'] });
    const record = task.human_task as HumanTaskRecord;
    expect(record.title).toBe(`Expense ${expense.expenseId}: 420 EUR for Ada Lovelace`);
    expect(record.prefill).toMatchObject({ amount: 420, approved_amount: 420 });
    expect(record.form.actions.map((a) => a.id)).toEqual(['approve', 'reject']);

    const handle = h.client.workflow.getHandle<InterpreterWorkflow>(run.workflowId);
    const submission: HumanTaskSubmission = {
      taskId: task.id,
      action: 'approve',
      data: { ...(record.prefill as object), approved_amount: 400, decision_note: 'capped at 400' },
      submittedBy: 'admin',
      at: new Date().toISOString(),
    };
    await expect(handle.executeUpdate(humanTaskSubmitUpdate, { args: [submission] })).resolves.toMatchObject({
      status: 'completed',
    });
    await expect(handle.result()).resolves.toEqual({ approved: true, amount: 400, note: 'capped at 400', by: 'admin' });
    const decided = await h
      .db('event_processing_service.event_instances')
      .where({ pattern: 'expense.decided' })
      .first();
    expect(decided).toBeDefined();
  });

  it('approves a small expense by policy, with no task', async () => {
    const run = await startRun(h.deps, {
      workflowId: 'expense-approval',
      input: { expense: { ...expense, expenseId: 'exp-small', amount: 20 } },
      businessKey: `seed-expense-small-${Date.now()}`,
    });
    await expect(h.client.workflow.getHandle(run.workflowId).result()).resolves.toEqual({
      approved: true,
      amount: 20,
      note: 'within policy',
      by: 'policy',
    });
    const tasks = await h.db('task_execution_service.task_instances').where({ workflow_instance_id: run.instanceId });
    expect(tasks).toEqual([]);
  });
});

async function waitForTask(instanceId: string): Promise<{ id: string } & Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const row = (await h
      .db('task_execution_service.task_instances')
      .where({ workflow_instance_id: instanceId, step_type: 'human_task' })
      .first()) as ({ id: string } & Record<string, unknown>) | undefined;
    if (row) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no human task opened for run ${instanceId}`);
}
