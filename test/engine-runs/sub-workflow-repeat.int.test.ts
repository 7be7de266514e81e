/**
 * A sub_workflow step that runs more than once (its `retry`, or a loop back to it) starts one child instance
 * per execution: each child has its own workflow id and its own workflow_instances row, and the reconciler
 * finds nothing left to repair.
 */
import { reconcile } from '../../services/mirror/reconcile/reconcile';
import { createLogger } from '../../common/logger';
import { startRun } from '../../services/runs';
import { activeWorkflow, startRunHarness, type RunHarness } from './harness';
import { randomBytes } from 'node:crypto';

const WI = 'workflow_orchestrator_service.workflow_instances';
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
jest.setTimeout(90_000);
let h: RunHarness;
const ids = { failing: id('failing-child'), ok: id('ok-child'), retried: id('retried'), looped: id('looped') };

beforeAll(async () => {
  h = await startRunHarness();
  await activeWorkflow(h.db, {
    workflow_id: ids.failing,
    steps: [{ id: 'stop', type: 'fail', error: 'ChildFailed', message: 'always' }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.ok,
    steps: [{ id: 'done', type: 'succeed', output: '{% $input.n %}' }],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.retried,
    steps: [
      {
        id: 'call',
        type: 'sub_workflow',
        workflow: ids.failing,
        retry: { max_attempts: 3, initial_interval: '100ms' },
        catch: [{ errors: ['ChildFailed'], next: 'end' }],
      },
      { id: 'end', type: 'succeed', output: 'handled' },
    ],
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.looped,
    vars: { n: 0 },
    steps: [
      { id: 'call', type: 'sub_workflow', workflow: ids.ok, input: { n: '{% $vars.n %}' } },
      { id: 'count', type: 'set', vars: { n: '{% $vars.n + 1 %}' } },
      { id: 'again', type: 'switch', cases: [{ when: '{% $vars.n < 3 %}', next: 'call' }], default: 'end' },
      { id: 'end', type: 'succeed', output: '{% $vars.n %}' },
    ],
  } as never);
});

afterAll(() => h?.close());

async function runToEnd(workflowId: string) {
  const res = await startRun(h.deps, { workflowId, input: {} });
  const output = await h.client.workflow.getHandle(res.workflowId).result();
  return { ...res, output };
}

const children = (parentInstanceId: string) =>
  h
    .db(WI)
    .where({ parent_instance_id: parentInstanceId })
    .orderBy('started_at')
    .select('temporal_workflow_id', 'status', 'output');

describe('a sub_workflow step that runs more than once', () => {
  it('when its retry runs the child again, then every attempt is its own child instance with its own row', async () => {
    const res = await runToEnd(ids.retried);
    expect(res.output).toBe('handled');
    const rows = await children(res.instanceId);
    expect(rows.map((r) => [r.temporal_workflow_id, r.status])).toEqual([
      [`${res.workflowId}/call`, 'failed'],
      [`${res.workflowId}/call#2`, 'failed'],
      [`${res.workflowId}/call#3`, 'failed'],
    ]);
    for (const r of rows)
      expect((await h.client.workflow.getHandle(r.temporal_workflow_id).describe()).status.name).toBe('FAILED');
  });

  it('when a loop goes back to it, then every pass starts a child of its own, mirrored, with nothing left to reconcile', async () => {
    const res = await runToEnd(ids.looped);
    expect(res.output).toBe(3);
    const rows = await children(res.instanceId);
    expect(rows).toEqual([
      { temporal_workflow_id: `${res.workflowId}/call`, status: 'completed', output: 0 },
      { temporal_workflow_id: `${res.workflowId}/call#2`, status: 'completed', output: 1 },
      { temporal_workflow_id: `${res.workflowId}/call#3`, status: 'completed', output: 2 },
    ]);
    const report = await reconcile(
      { db: h.db, temporal: h.client, logger: createLogger({ level: 'silent' }) },
      { settleMs: 0 },
    );
    expect(report.drift.filter((d) => d.workflowId.startsWith(res.workflowId))).toEqual([]);
  });
});
