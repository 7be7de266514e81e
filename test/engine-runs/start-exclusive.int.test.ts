/**
 * startRun's exclusive start (`exclusive: true`): no start while another live run of the definition has the
 * same correlation key; the check and the pending row's insert are one step, whoever else starts runs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startRun, type ExclusiveStartRequest, type StartRunResult } from '../../services/runs';
import { activeWorkflow, eventually, startRunHarness, type RunHarness } from './harness';

const WI = 'workflow_orchestrator_service.workflow_instances';
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
jest.setTimeout(60_000);
let h: RunHarness;
const ids = { waiting: id('excl-wait') };

beforeAll(async () => {
  h = await startRunHarness();
  await activeWorkflow(h.db, {
    workflow_id: ids.waiting,
    steps: [{ id: 'wait', type: 'wait_for_event', event: `${ids.waiting}.never`, timeout: '10m' }],
  });
});

afterAll(() => h?.close());

const exclusive = (
  workflowId: string,
  correlationKey: string,
  extra: Partial<ExclusiveStartRequest> = {},
): ExclusiveStartRequest => ({ workflowId, input: {}, correlationKey, exclusive: true, ...extra });

describe('startRun, exclusive', () => {
  it('starts exactly one of several concurrent exclusive starts; the others name it', async () => {
    const key = id('k');
    const results = await Promise.all(Array.from({ length: 6 }, () => startRun(h.deps, exclusive(ids.waiting, key))));
    const started = results.filter((r): r is StartRunResult => r.outcome === 'started');
    expect(started).toHaveLength(1);
    const winner = started[0]!.workflowId;
    expect(results.filter((r) => r.outcome === 'live')).toEqual(
      Array(5).fill({ outcome: 'live', liveWorkflowIds: [winner] }),
    );
    expect(
      (await h.db(WI).where({ definition_workflow_id: ids.waiting, correlation_key: key })).map(
        (r) => r.temporal_workflow_id,
      ),
    ).toEqual([winner]);
  });

  it('counts a run started without the guard (API) as live, and starts once that run has ended', async () => {
    const key = id('k');
    const api = await startRun(h.deps, { workflowId: ids.waiting, input: {}, correlationKey: key });
    await expect(startRun(h.deps, exclusive(ids.waiting, key))).resolves.toEqual({
      outcome: 'live',
      liveWorkflowIds: [api.workflowId],
    });
    await h.client.workflow.getHandle(api.workflowId).cancel();
    await eventually(async () => (await h.db(WI).where({ id: api.instanceId }).first())?.status === 'cancelled');
    await expect(startRun(h.deps, exclusive(ids.waiting, key))).resolves.toMatchObject({
      outcome: 'started',
      started: true,
    });
  });

  it('answers a repeated exclusive start of the same workflow id with its own run (duplicate), not as live', async () => {
    const key = id('k');
    const req = exclusive(ids.waiting, key, { temporalWorkflowId: id('own') });
    const first = await startRun(h.deps, req);
    expect(first).toMatchObject({ outcome: 'started' });
    await expect(startRun(h.deps, req)).resolves.toMatchObject({
      outcome: 'duplicate',
      started: false,
      workflowId: req.temporalWorkflowId,
    });
  });

  /** A pending row without a run id: another start of the same definition and key, in flight. */
  async function inFlightStart(key: string): Promise<string> {
    const def = await h
      .db('workflow_orchestrator_service.workflow_definitions')
      .where({ workflow_id: ids.waiting })
      .first();
    const workflowId = id('in-flight');
    await h.db(WI).insert({
      id: randomUUID(),
      temporal_workflow_id: workflowId,
      workflow_definition_id: def.id,
      definition_workflow_id: ids.waiting,
      definition_version: '1.0.0',
      status: 'pending',
      correlation_key: key,
      mirror_seq: 0,
    });
    return workflowId;
  }

  it('waits for a live start in flight and names it once it has its run', async () => {
    const key = id('k');
    const other = await inFlightStart(key);
    let answered = false;
    const answer = startRun(h.deps, exclusive(ids.waiting, key)).finally(() => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    await h.db(WI).where({ temporal_workflow_id: other }).update({ temporal_run_id: randomUUID() });
    await expect(answer).resolves.toEqual({ outcome: 'live', liveWorkflowIds: [other] });
  });

  it('decides again when the live start in flight fails (its row is deleted), and starts', async () => {
    const key = id('k');
    const other = await inFlightStart(key);
    const answer = startRun(h.deps, exclusive(ids.waiting, key));
    await new Promise((r) => setTimeout(r, 300));
    await h.db(WI).where({ temporal_workflow_id: other }).delete();
    await expect(answer).resolves.toMatchObject({ outcome: 'started', started: true });
  });
});
