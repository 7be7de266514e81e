/** The seeded example works end to end: `npm run seed` definitions run to completion on the real worker. */
import { ORDER_CREATED_EVENT } from '../../db/seeds/examples';
import { seed } from '../../db/seeds';
import { getRunRow, startRun } from '../../services/runs';
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
