/**
 * Containment: a run whose workflow task fails on every attempt (here a test-only bundle whose interpreter
 * throws) is retried by Temporal forever. The reconciler terminates it past WORKFLOW_TASK_MAX_ATTEMPTS with the
 * reason and the last failure, and the mirror row says so; healthy runs are left alone.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { reconcile } from '../../services/mirror/reconcile/reconcile';
import { createLogger } from '../../common/logger';
import { startRun } from '../../services/runs';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from '../engine-runs/harness';
import { startTestWorker, type RunningTestWorker } from '../helpers/temporal';

jest.setTimeout(120_000);
const WI = 'workflow_orchestrator_service.workflow_instances';
let h: RunHarness;
let broken: RunningTestWorker;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  h = await startRunHarness({ worker: false });
  broken = await startTestWorker({
    taskQueue: h.config.taskQueue,
    workflowsPath: require.resolve('./fixtures/broken-interpreter'),
  });
  await activeWorkflow(h.db, { workflow_id: 'quarantine-me', steps: [{ id: 'only', type: 'set', vars: { x: 1 } }] });
});

afterAll(async () => {
  await broken?.stop();
  await h?.close();
});

const pass = (max: number) =>
  reconcile({ db: h.db, temporal: h.client, logger }, { settleMs: 0, workflowTaskMaxAttempts: max });

it('terminates a run whose workflow task keeps failing, with the last failure, and mirrors it terminated', async () => {
  const run = await startRun(h.deps, { workflowId: 'quarantine-me', input: {} });
  const handle = h.client.workflow.getHandle(run.workflowId);
  // Below the threshold the run is left to Temporal's retries.
  await eventually(async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2, 60_000);
  const early = await pass(1000);
  expect(early.drift.find((d) => d.instanceId === run.instanceId)).toBeUndefined();
  expect((await handle.describe()).status.name).toBe('RUNNING');

  await eventually(async () => ((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 3, 60_000);
  const report = await pass(3);
  expect(report.drift).toContainEqual(
    expect.objectContaining({ instanceId: run.instanceId, temporalStatus: 'RUNNING', fixedTo: 'terminated' }),
  );

  const d = await handle.describe();
  expect(d.status.name).toBe('TERMINATED');
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const row = await h.db(WI).where({ id: run.instanceId }).first();
  expect(row.status).toBe('terminated');
  expect(row.error.type).toBe('WorkflowTaskFailed');
  expect(row.error.message).toMatch(
    /quarantined: its workflow task failed \d+ times in a row \(last failure: boom: workflow code is broken\)/,
  );
  expect(row.completed_at).not.toBeNull();

  // A second pass finds nothing left to do.
  const again = await pass(3);
  expect(again.drift.find((e) => e.instanceId === run.instanceId)).toBeUndefined();
});
