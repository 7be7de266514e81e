import type { WorkflowDefinition } from '../../common/definitions/types';
import { aosStateQuery } from '../../workflows/api';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, startInterpreter, storeDefinition } from './flows';

jest.setTimeout(60_000);

describe('subscriptions: events delivered to waiting workflows', () => {
  let h: EventsHarness;
  const p = `sub${uniq()}`;
  const waitDef = (id: string, steps: WorkflowDefinition['steps']): WorkflowDefinition => ({
    workflow_id: `${p}-${id}`,
    name: id,
    version: '1.0.0',
    steps,
  });
  const publish = (pattern: string, payload: object, correlationId: string) =>
    h.http.post('/api/v1/events').send({ pattern, payload, metadata: { correlationId } }).expect(202);
  const subscriptionOf = (workflowId: string) =>
    eventually(() =>
      h
        .db('workflow_orchestrator_service.workflow_event_subscriptions')
        .where({ temporal_workflow_id: workflowId, status: 'open' })
        .first(),
    );

  beforeAll(async () => {
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('resumes a waiting run on its correlated event and not on another key', async () => {
    const def = waitDef('approve', [
      { id: 'wait', type: 'wait_for_event', event: `${p}.approved`, correlation: '{% $input.key %}', timeout: '60s' },
    ]);
    const rowId = await storeDefinition(h.db, def);
    const key = `k-${uniq()}`;
    const { handle } = await startInterpreter(h.temporal, h.config, def, { input: { key }, rowId });
    const sub = await subscriptionOf(handle.workflowId);

    const other = await publish(`${p}.approved`, { by: 'other' }, `k-${uniq()}`);
    await eventually(
      async () =>
        (await h.db('event_processing_service.event_queue_state').where({ event_id: other.body.eventId }).first())
          ?.status === 'delivered',
    );
    expect((await handle.query(aosStateQuery)).status).toBe('waiting');

    const mine = await publish(`${p}.approved`, { by: 'alice' }, key);
    await expect(handle.result()).resolves.toEqual({ by: 'alice' });
    const closed = await h
      .db('workflow_orchestrator_service.workflow_event_subscriptions')
      .where({ id: sub.id })
      .first();
    expect(closed).toMatchObject({ status: 'matched', matched_event_id: mine.body.eventId });
  });

  it('resumes a run with an event published after it started but before its wait registered', async () => {
    const def = waitDef('late-wait', [
      { id: 'pause', type: 'delay', duration: '1500ms' },
      { id: 'wait', type: 'wait_for_event', event: `${p}.paid`, correlation: '{% $input.key %}', timeout: '60s' },
    ]);
    const rowId = await storeDefinition(h.db, def);
    const key = `k-${uniq()}`;
    const { handle } = await startInterpreter(h.temporal, h.config, def, { input: { key }, rowId });
    await eventually(() =>
      h
        .db('workflow_orchestrator_service.workflow_instances')
        .where({ temporal_workflow_id: handle.workflowId })
        .first(),
    );
    const ev = await publish(`${p}.paid`, { amount: 5 }, key);
    await expect(handle.result()).resolves.toEqual({ amount: 5 });
    const sub = await h
      .db('workflow_orchestrator_service.workflow_event_subscriptions')
      .where({ temporal_workflow_id: handle.workflowId })
      .first();
    expect(sub).toMatchObject({ status: 'matched', matched_event_id: ev.body.eventId });
  });

  it('delivers concurrently published events of one sequence in sequence order', async () => {
    const n = 10;
    const steps: WorkflowDefinition['steps'] = Array.from({ length: n }, (_, i) => ({
      id: `w${i}`,
      type: 'wait_for_event' as const,
      event: `${p}.tick`,
      correlation: '{% $input.key %}',
      timeout: '60s',
    }));
    steps.push({
      id: 'done',
      type: 'succeed',
      output: `{% [${Array.from({ length: n }, (_, i) => `$steps.w${i}.output.i`).join(', ')}] %}`,
    });
    const def = waitDef('ticks', steps);
    const rowId = await storeDefinition(h.db, def);
    const key = `k-${uniq()}`;
    const { handle } = await startInterpreter(h.temporal, h.config, def, { input: { key }, rowId });
    await subscriptionOf(handle.workflowId);
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => publish(`${p}.tick`, { i }, key)));
    const bySequence = responses
      .map((r) => r.body)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .map((e) => e.payload.i);
    await expect(handle.result()).resolves.toEqual(bySequence);
  });

  it('lets workflows chain through emit_event (correlation and causation from the run)', async () => {
    const key = `k-${uniq()}`;
    const waiter = waitDef('chain-wait', [
      { id: 'wait', type: 'wait_for_event', event: `${p}.chained`, correlation: '{% $input.key %}', timeout: '60s' },
    ]);
    const emitter = waitDef('chain-emit', [
      { id: 'emit', type: 'emit_event', event: `${p}.chained`, payload: { from: '{% $input.name %}' } },
    ]);
    const [wRow, eRow] = [await storeDefinition(h.db, waiter), await storeDefinition(h.db, emitter)];
    const { handle: waiting } = await startInterpreter(h.temporal, h.config, waiter, { input: { key }, rowId: wRow });
    await subscriptionOf(waiting.workflowId);
    const { handle: emitting } = await startInterpreter(h.temporal, h.config, emitter, {
      input: { name: 'A' },
      correlationKey: key,
      rowId: eRow,
    });
    const { eventId } = (await emitting.result()) as { eventId: string };
    await expect(waiting.result()).resolves.toEqual({ from: 'A' });
    const stored = await h.db('event_processing_service.event_instances').where({ event_id: eventId }).first();
    expect(stored.source).toMatchObject({ type: 'workflow', id: emitting.workflowId });
    expect(stored.metadata).toMatchObject({ correlationId: key });
  });
});
