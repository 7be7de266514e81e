/**
 * The mirror's run timestamps come from one clock: started_at is Temporal's start time and completed_at
 * workflow time, so a run never appears to end before it started, whoever writes the row first.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { applyWorkflowUpdate } from '../../services/mirror/workflow-mirror';
import { insertWorkflowInstance, markRunStarted } from '../../db/repositories/workflow-instances';
import { resolveDefinition } from '../../services/definitions';
import { startRun } from '../../services/runs';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

const WI = 'workflow_orchestrator_service.workflow_instances';
const flowId = `quick-${randomBytes(3).toString('hex')}`;
jest.setTimeout(60_000);
let h: RunHarness;

beforeAll(async () => {
  h = await startRunHarness();
  await activeWorkflow(h.db, { workflow_id: flowId, steps: [{ id: 'note', type: 'set', vars: { done: true } }] });
});
afterAll(() => h?.close());

describe('run timestamps in the mirror', () => {
  it("when fast runs complete, started_at is Temporal's start time and completed_at is not before it", async () => {
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => startRun(h.deps, { workflowId: flowId, input: {} })),
    );
    for (const run of runs) {
      const row = await eventually(async () => {
        const r = await h.db(WI).where({ id: run.instanceId }).first();
        return r?.status === 'completed' ? r : undefined;
      });
      const { startTime } = await h.client.workflow.getHandle(run.workflowId).describe();
      expect({
        started_at: (row.started_at as Date).toISOString(),
        before_end: row.completed_at >= row.started_at,
      }).toEqual({ started_at: startTime.toISOString(), before_end: true });
    }
  });

  it("when the starter records the start after the run's end was mirrored, the run's own start time wins", async () => {
    const instanceId = randomUUID();
    const { definitionRowId } = await resolveDefinition(h.db, flowId);
    await insertWorkflowInstance(h.db, {
      id: instanceId,
      temporal_workflow_id: `race-${instanceId}`,
      workflow_definition_id: definitionRowId,
      definition_workflow_id: flowId,
      definition_version: '1.0.0',
      status: 'pending',
      mirror_seq: 0,
    });
    const started = new Date('2026-01-01T10:00:07.290Z');
    const ended = new Date('2026-01-01T10:00:07.301Z');
    // The order seen in production: the starter's answer came back late, after the run had already ended.
    await markRunStarted(h.db, instanceId, 'run-1', new Date('2026-01-01T10:00:07.365Z'));
    await applyWorkflowUpdate(h.db, {
      instanceId,
      workflowId: `race-${instanceId}`,
      runId: 'run-1',
      seq: 2,
      status: 'completed',
      output: null,
      at: ended.toISOString(),
      startedAt: started.toISOString(),
    });
    const row = await h.db(WI).where({ id: instanceId }).first();
    expect({ started_at: row.started_at, completed_at: row.completed_at, status: row.status }).toEqual({
      started_at: started,
      completed_at: ended,
      status: 'completed',
    });
  });
});
