import { NativeConnection } from '@temporalio/worker';
import type { WorkflowDefinition } from '../../common/definitions/types';
import { createLogger } from '../../common/logger';
import { createOrchestratorWorker } from '../../workers/orchestrator';
import { TEST_ENV } from '../harness-state';
import { temporalAddress } from '../helpers/temporal';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, storeDefinition } from './flows';

jest.setTimeout(180_000);

/**
 * Issue #10 item 4, the guarantee of docs/events.md "Event visibility": an event stored after the event that
 * caused a run is visible to that run's waits, however far delivery lags. The worker (interpreter and event
 * dispatcher) is stopped while the events are published, so every resume event is routed before its run
 * exists; the look-back must still find it.
 */
describe('event visibility: a resume event published after the trigger reaches the run, whatever delivery lags', () => {
  let h: EventsHarness;
  const p = `vis${uniq()}`;
  const def = (id: string, steps: WorkflowDefinition['steps']): WorkflowDefinition => ({
    workflow_id: `${p}-${id}`,
    name: id,
    version: '1.0.0',
    steps,
  });
  const publish = async (pattern: string, payload: object, correlationId: string) =>
    (await h.http.post('/api/v1/events').send({ pattern, payload, metadata: { correlationId } }).expect(202)).body;
  const trigger = async (body: object) => (await h.http.post('/api/v1/triggers').send(body).expect(201)).body;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** The run's result, once the dispatcher has started it. */
  const resultOf = async (workflowId: string) => {
    await eventually(
      () =>
        h
          .db('workflow_orchestrator_service.workflow_instances')
          .where({ temporal_workflow_id: workflowId })
          .whereNotNull('temporal_run_id')
          .first(),
      60_000,
    );
    return h.temporal.workflow.getHandle(workflowId).result();
  };

  /** Starts the real orchestrator worker on the harness's task queue; returns its stop function. */
  async function startWorker(): Promise<() => Promise<void>> {
    const connection = await NativeConnection.connect({ address: temporalAddress() });
    const worker = await createOrchestratorWorker({
      config: h.config,
      db: h.db,
      logger: createLogger({ level: 'silent' }),
      connection,
      temporal: h.temporal,
      workflowBundlePath: process.env[TEST_ENV.bundlePath],
    });
    const running = worker.run();
    return async () => {
      worker.shutdown();
      await running;
      await connection.close();
    };
  }

  const order = def('order', [
    {
      id: 'paid',
      type: 'wait_for_event',
      event: `${p}.order.paid`,
      correlation: '{% $input.orderId %}',
      timeout: '60s',
    },
  ]);
  const child = def('payment', [
    { id: 'paid', type: 'wait_for_event', event: `${p}.job.paid`, correlation: '{% $input.orderId %}', timeout: '60s' },
  ]);
  const parent = def('job', [{ id: 'pay', type: 'sub_workflow', workflow: child.workflow_id, input: '{% $input %}' }]);
  // The parent acts on one approval, then its child waits for the next one of the same order.
  const second = def('second', [
    {
      id: 'approved',
      type: 'wait_for_event',
      event: `${p}.approved`,
      correlation: '{% $input.orderId %}',
      timeout: '60s',
    },
  ]);
  const twice = def('twice', [
    {
      id: 'approved',
      type: 'wait_for_event',
      event: `${p}.approved`,
      correlation: '{% $input.orderId %}',
      timeout: '60s',
    },
    { id: 'again', type: 'sub_workflow', workflow: second.workflow_id, input: '{% $input %}' },
    { id: 'done', type: 'succeed', output: '{% [$steps.approved.output.n, $steps.again.output.n] %}' },
  ]);
  let orderTrigger: string;
  let jobTrigger: string;
  let twiceTrigger: string;

  beforeAll(async () => {
    // No worker: events are stored and acknowledged, nothing routes them until a test starts one.
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' } });
    for (const d of [order, child, parent, second, twice]) await storeDefinition(h.db, d);
    orderTrigger = (
      await trigger({
        workflowDefinitionId: order.workflow_id,
        eventPattern: `${p}.order.created`,
        triggerType: 'START',
        correlationKey: 'payload.orderId',
      })
    ).triggerId;
    twiceTrigger = (
      await trigger({
        workflowDefinitionId: twice.workflow_id,
        eventPattern: `${p}.twice.created`,
        triggerType: 'START',
        correlationKey: 'payload.orderId',
      })
    ).triggerId;
    jobTrigger = (
      await trigger({
        workflowDefinitionId: parent.workflow_id,
        eventPattern: `${p}.job.created`,
        triggerType: 'START',
        correlationKey: 'payload.orderId',
      })
    ).triggerId;
  });
  afterAll(async () => {
    await h.close();
  });

  it("resumes a triggered run and a triggered run's child with events published while the worker was stopped", async () => {
    const [o, j] = [`o-${uniq()}`, `j-${uniq()}`];
    const created = await publish(`${p}.order.created`, { orderId: o }, o);
    const jobCreated = await publish(`${p}.job.created`, { orderId: j }, j);
    await sleep(1000);
    await publish(`${p}.order.paid`, { orderId: o, amount: 12 }, o);
    await publish(`${p}.job.paid`, { orderId: j, amount: 34 }, j);
    // Longer than any allowance around a run's start: the runs start well after their resume events were stored.
    await sleep(3000);
    const stop = await startWorker();
    try {
      await expect(resultOf(`trg:${orderTrigger}:${created.eventId}`)).resolves.toEqual({ orderId: o, amount: 12 });
      await expect(resultOf(`trg:${jobTrigger}:${jobCreated.eventId}`)).resolves.toEqual({ orderId: j, amount: 34 });
    } finally {
      await stop();
    }
  });

  it('hands a child the events stored after the last one its parent received, never that one again', async () => {
    const o = `t-${uniq()}`;
    const created = await publish(`${p}.twice.created`, { orderId: o }, o);
    for (const n of [1, 2]) await publish(`${p}.approved`, { orderId: o, n }, o);
    await sleep(3000);
    const stop = await startWorker();
    try {
      await expect(resultOf(`trg:${twiceTrigger}:${created.eventId}`)).resolves.toEqual([1, 2]);
    } finally {
      await stop();
    }
  });

  it('resumes every run of a backlog: 25 triggers, 200 unrelated events, then the 25 resume events, all queued before the worker starts', async () => {
    const orders = Array.from({ length: 25 }, () => `o-${uniq()}`);
    const created = await Promise.all(orders.map((o) => publish(`${p}.order.created`, { orderId: o }, o)));
    await Promise.all(Array.from({ length: 200 }, (_, i) => publish(`${p}.noise`, { i }, `n-${i % 7}`)));
    await Promise.all(orders.map((o, i) => publish(`${p}.order.paid`, { orderId: o, amount: i }, o)));
    await sleep(3000);
    const stop = await startWorker();
    try {
      const results = await Promise.all(created.map((e) => resultOf(`trg:${orderTrigger}:${e.eventId}`)));
      expect(results).toEqual(orders.map((o, i) => ({ orderId: o, amount: i })));
      // One wait per run, matched (by a signal or by the look-back, whichever came first).
      const subs = await h.db('workflow_orchestrator_service.workflow_event_subscriptions').whereIn(
        'temporal_workflow_id',
        created.map((e) => `trg:${orderTrigger}:${e.eventId}`),
      );
      expect(subs.map((s) => s.status)).toEqual(orders.map(() => 'matched'));
    } finally {
      await stop();
    }
    await eventually(
      async () =>
        (
          await h
            .db('event_processing_service.event_queue_state')
            .whereIn(
              'event_id',
              created.map((e) => e.eventId),
            )
            .where({ consumer: 'router', status: 'delivered' })
        ).length === created.length,
    );
  });
});
