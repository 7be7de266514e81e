/**
 * The interpreter on the real stack (dev server, PostgreSQL, the orchestrator worker): step paths of nested
 * blocks in task_instances, activity summaries in history, and sub_workflow resolving the child definition
 * from the database (pinned version vs latest active).
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { activateWorkflowDefinition, createWorkflowDefinition } from '../../services/definitions';
import { startRun } from '../../services/runs';
import { activeTask, activeWorkflow, startRunHarness, type RunHarness } from './harness';

const TI = 'task_execution_service.task_instances';
const WI = 'workflow_orchestrator_service.workflow_instances';
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
jest.setTimeout(60_000);
let h: RunHarness;
const ids = { echo: id('echo'), nested: id('nested'), child: id('child'), parent: id('parent') };

beforeAll(async () => {
  h = await startRunHarness();
  await activeTask(h.db, { task_id: ids.echo, type: 'echo' });
  await activeWorkflow(h.db, {
    workflow_id: ids.nested,
    steps: [
      { id: 'before', type: 'task', task: ids.echo, input: { n: 0 } },
      {
        id: 'fanout',
        type: 'parallel',
        branches: [
          { id: 'a', steps: [{ id: 'solo', type: 'task', task: ids.echo, input: { n: 1 } }] },
          {
            id: 'b',
            steps: [
              {
                id: 'each',
                type: 'foreach',
                items: '{% [10, 20] %}',
                steps: [{ id: 'inner', type: 'task', task: ids.echo, input: { n: '{% $item %}' } }],
              },
            ],
          },
        ],
      },
    ],
  } as never);
  // The child's output names the version that ran, so the parent's output shows which one it resolved.
  await activeWorkflow(h.db, {
    workflow_id: ids.child,
    steps: [{ id: 'noop', type: 'task', task: ids.echo }],
    output: '{% $workflow.version %}',
  } as never);
  await activeWorkflow(h.db, {
    workflow_id: ids.parent,
    steps: [
      { id: 'pinned', type: 'sub_workflow', workflow: ids.child, version: '1.0.0' },
      { id: 'latest', type: 'sub_workflow', workflow: ids.child },
    ],
    output: '{% { "pinned": $steps.pinned.output, "latest": $steps.latest.output } %}',
  } as never);
});

afterAll(() => h?.close());

async function runToEnd(workflowId: string, input: unknown = {}) {
  const res = await startRun(h.deps, { workflowId, input });
  const output = await h.client.workflow.getHandle(res.workflowId).result();
  return { ...res, output };
}

describe('nested blocks on the real stack', () => {
  it('writes task_instances rows whose ltree step_path places each execution in its parallel branch and foreach iteration', async () => {
    const res = await runToEnd(ids.nested);
    const under = await h
      .db(TI)
      .where({ workflow_instance_id: res.instanceId })
      .whereRaw(`step_path <@ 'fanout'`)
      .orderBy('step_path')
      .pluck('step_path');
    expect(under).toEqual(['fanout.a.solo', 'fanout.b.each.i0.inner', 'fanout.b.each.i1.inner']);
    const iterations = await h
      .db(TI)
      .where({ workflow_instance_id: res.instanceId })
      .whereRaw(`step_path ~ 'fanout.b.each.*{1}.inner'`)
      .orderBy('step_path')
      .select('step_id', 'input');
    expect(iterations).toEqual([
      { step_id: 'inner', input: { n: 10 } },
      { step_id: 'inner', input: { n: 20 } },
    ]);
    const top = await h
      .db(TI)
      .where({ workflow_instance_id: res.instanceId })
      .whereRaw(`nlevel(step_path) = 1`)
      .pluck('step_path');
    expect(top).toEqual(['before']);
  });

  it('gives every runTask activity the summary "<stepId>: <task_id>" in history', async () => {
    const res = await runToEnd(ids.nested);
    const history = await h.client.workflow.getHandle(res.workflowId).fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTask')
      .map((e) =>
        e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : undefined,
      )
      .sort();
    expect(summaries).toEqual([`before: ${ids.echo}`, `inner: ${ids.echo}`, `inner: ${ids.echo}`, `solo: ${ids.echo}`]);
  });
});

describe('sub_workflow resolves the child definition from the database', () => {
  it('runs the pinned version, and the latest active version once a newer one is activated', async () => {
    expect((await runToEnd(ids.parent)).output).toEqual({ pinned: '1.0.0', latest: '1.0.0' });
    await createWorkflowDefinition(h.db, {
      workflow_id: ids.child,
      name: ids.child,
      version: '1.1.0',
      steps: [{ id: 'noop', type: 'task', task: ids.echo }],
      output: '{% $workflow.version %}',
    } as never);
    await activateWorkflowDefinition(h.db, ids.child, '1.1.0');
    const res = await runToEnd(ids.parent);
    expect(res.output).toEqual({ pinned: '1.0.0', latest: '1.1.0' });
    const children = await h
      .db(WI)
      .where({ definition_workflow_id: ids.child })
      .whereLike('temporal_workflow_id', `${res.workflowId}/%`)
      .orderBy('temporal_workflow_id')
      .select('temporal_workflow_id', 'definition_version', 'status');
    expect(children).toEqual([
      { temporal_workflow_id: `${res.workflowId}/latest`, definition_version: '1.1.0', status: 'completed' },
      { temporal_workflow_id: `${res.workflowId}/pinned`, definition_version: '1.0.0', status: 'completed' },
    ]);
  });
});
