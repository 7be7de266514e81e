import type { WorkflowDefinition } from '../../common/definitions/types';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, storeDefinition } from './flows';

jest.setTimeout(60_000);

describe('triggers: on_running = signal, and priority order', () => {
  let h: EventsHarness;
  const p = `trr${uniq()}`;
  const def = (id: string, steps: WorkflowDefinition['steps']): WorkflowDefinition => ({
    workflow_id: `${p}-${id}`,
    name: id,
    version: '1.0.0',
    steps,
  });
  const runsOf = (eventId: string) =>
    h.db('workflow_orchestrator_service.workflow_instances').whereRaw(`trigger->>'eventId' = ?`, [eventId]);
  const delivered = (eventId: string) =>
    eventually(
      async () =>
        await h
          .db('event_processing_service.event_queue_state')
          .where({ event_id: eventId, consumer: 'router', status: 'delivered' })
          .first(),
    );
  const trigger = async (body: object) => (await h.http.post('/api/v1/triggers').send(body).expect(201)).body;

  beforeAll(async () => {
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('signals the running run with a second event of the same correlation key instead of starting another (on_running = signal)', async () => {
    const job = def('sig', [
      { id: 'wait', type: 'wait_for_event', event: `${p}.sig.go`, correlation: '{% $input.key %}', timeout: '60s' },
      { id: 'done', type: 'succeed', output: '{% $steps.wait.output %}' },
    ]);
    await storeDefinition(h.db, job);
    await trigger({
      workflowDefinitionId: job.workflow_id,
      eventPattern: `${p}.sig.go`,
      triggerType: 'START',
      correlationKey: 'payload.key',
      inputMapping: { key: 'payload.key' },
      onRunning: 'signal',
    });
    const key = `k-${uniq()}`;
    // The first event carries the same correlation as the wait: the run must not consume the event that started it.
    const first = (
      await h.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.sig.go`, payload: { key, n: 1 }, metadata: { correlationId: key } })
        .expect(202)
    ).body;
    const run = await eventually(async () => {
      const [r] = await runsOf(first.eventId);
      return r?.status === 'waiting' ? r : undefined;
    });
    const second = (
      await h.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.sig.go`, payload: { key, n: 2 }, metadata: { correlationId: key } })
        .expect(202)
    ).body;
    await delivered(second.eventId);
    const handle = h.temporal.workflow.getHandle(run.temporal_workflow_id);
    await expect(handle.result()).resolves.toEqual({ key, n: 2 });
    // The trigger's own signal is in the history: an aosEvent envelope without a subscriptionId (routing to the
    // open subscription adds one), so the run was signalled by the trigger, not only through its wait.
    const signals = ((await handle.fetchHistory()).events ?? [])
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((a) => a?.signalName === 'aosEvent')
      .map(
        (a) =>
          JSON.parse(Buffer.from(a!.input!.payloads![0].data!).toString('utf8')) as {
            eventId: string;
            subscriptionId?: string;
          },
      );
    expect(signals.filter((s) => s.eventId === second.eventId && s.subscriptionId === undefined)).toHaveLength(1);
    expect(await runsOf(second.eventId)).toHaveLength(0);
    const all = await h
      .db('workflow_orchestrator_service.workflow_instances')
      .where({ definition_workflow_id: job.workflow_id, correlation_key: key });
    expect(all).toHaveLength(1);
    const sub = await h
      .db('workflow_orchestrator_service.workflow_event_subscriptions')
      .where({ temporal_workflow_id: run.temporal_workflow_id })
      .first();
    expect(sub).toMatchObject({ status: 'matched', matched_event_id: second.eventId });
  });

  it('routes matching START triggers lower priority number first', async () => {
    const echo = def('prio', [{ id: 'done', type: 'succeed', output: '{% $input %}' }]);
    await storeDefinition(h.db, echo);
    // Created in the opposite order of their priority, so creation order cannot explain the result.
    const low = await trigger({
      workflowDefinitionId: echo.workflow_id,
      eventPattern: `${p}.prio.go`,
      triggerType: 'START',
      priority: 50,
    });
    const wild = await trigger({
      workflowDefinitionId: echo.workflow_id,
      eventPattern: `${p}.prio.*`,
      triggerType: 'START',
      priority: 20,
    });
    const high = await trigger({
      workflowDefinitionId: echo.workflow_id,
      eventPattern: `${p}.prio.go`,
      triggerType: 'START',
      priority: 1,
    });
    for (let i = 0; i < 3; i++) {
      const ev = (
        await h.http
          .post('/api/v1/events')
          .send({ pattern: `${p}.prio.go`, payload: { i } })
          .expect(202)
      ).body;
      await delivered(ev.eventId);
      const runs = await h
        .db('workflow_orchestrator_service.workflow_instances')
        .whereRaw(`trigger->>'eventId' = ?`, [ev.eventId])
        .orderBy([{ column: 'created_at' }, { column: 'id' }]);
      expect(runs.map((r) => r.trigger.triggerId)).toEqual([high.triggerId, wild.triggerId, low.triggerId]);
      const created = runs.map((r) => (r.created_at as Date).getTime());
      expect(new Set(created).size).toBe(3);
    }
  });
});
