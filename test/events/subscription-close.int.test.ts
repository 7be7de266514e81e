import type { WorkflowDefinition } from '../../common/definitions/types';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, startInterpreter, storeDefinition } from './flows';

jest.setTimeout(60_000);

describe('subscriptions: closed as expired on timeout and as cancelled on cancellation', () => {
  let h: EventsHarness;
  const p = `sbc${uniq()}`;
  const waitDef = (id: string, steps: WorkflowDefinition['steps']): WorkflowDefinition => ({
    workflow_id: `${p}-${id}`,
    name: id,
    version: '1.0.0',
    steps,
  });
  const subscriptionsOf = (workflowId: string) =>
    h.db('workflow_orchestrator_service.workflow_event_subscriptions').where({ temporal_workflow_id: workflowId });

  beforeAll(async () => {
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('closes the subscription as expired when the wait times out', async () => {
    const def = waitDef('timeout', [
      {
        id: 'wait',
        type: 'wait_for_event',
        event: `${p}.never`,
        correlation: '{% $input.key %}',
        timeout: '1s',
        on_timeout: 'late',
      },
      { id: 'late', type: 'succeed', output: { timedOut: true } },
    ]);
    const rowId = await storeDefinition(h.db, def);
    const key = `k-${uniq()}`;
    const { handle } = await startInterpreter(h.temporal, h.config, def, { input: { key }, rowId });
    const open = await eventually(async () => (await subscriptionsOf(handle.workflowId).where({ status: 'open' }))[0]);
    expect(open).toMatchObject({ event_pattern: `${p}.never`, correlation_value: key });
    expect(open.expires_at).toBeTruthy();
    await expect(handle.result()).resolves.toEqual({ timedOut: true });
    const [closed] = await subscriptionsOf(handle.workflowId);
    expect(closed).toMatchObject({ id: open.id, status: 'expired', matched_event_id: null });

    // A matching event published after the expiry is routed to nobody: the closed subscription is not signalled.
    const ev = (
      await h.http
        .post('/api/v1/events')
        .send({ pattern: `${p}.never`, payload: {}, metadata: { correlationId: key } })
        .expect(202)
    ).body;
    await eventually(
      async () =>
        await h
          .db('event_processing_service.event_queue_state')
          .where({ event_id: ev.eventId, consumer: 'router', status: 'delivered' })
          .first(),
    );
    expect(
      await h
        .db('event_processing_service.event_queue_state')
        .where({ event_id: ev.eventId, consumer: handle.workflowId }),
    ).toHaveLength(0);
    expect((await subscriptionsOf(handle.workflowId).first()).status).toBe('expired');
  });

  it('closes the subscription as cancelled when the waiting run is cancelled', async () => {
    const def = waitDef('cancel', [
      { id: 'wait', type: 'wait_for_event', event: `${p}.never`, correlation: '{% $input.key %}', timeout: '10m' },
    ]);
    const rowId = await storeDefinition(h.db, def);
    const key = `k-${uniq()}`;
    const { handle } = await startInterpreter(h.temporal, h.config, def, { input: { key }, rowId });
    const open = await eventually(async () => (await subscriptionsOf(handle.workflowId).where({ status: 'open' }))[0]);
    await eventually(
      async () =>
        (
          await h
            .db('workflow_orchestrator_service.workflow_instances')
            .where({ temporal_workflow_id: handle.workflowId })
            .first()
        )?.status === 'waiting',
    );
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const closed = await eventually(async () => {
      const row = await subscriptionsOf(handle.workflowId).first();
      return row?.status !== 'open' ? row : undefined;
    });
    expect(closed).toMatchObject({ id: open.id, status: 'cancelled', matched_event_id: null });
    expect(
      (
        await h
          .db('workflow_orchestrator_service.workflow_instances')
          .where({ temporal_workflow_id: handle.workflowId })
          .first()
      ).status,
    ).toBe('cancelled');
  });
});
