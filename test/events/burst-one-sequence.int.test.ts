import type { WorkflowDefinition } from '../../common/definitions/types';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { startInterpreter, storeDefinition } from './flows';

jest.setTimeout(300_000);

/**
 * Issue #10 item 7: a run that loops over one wait_for_event receives every event of a burst of its sequence.
 * Between one wait closing and the next registering, the router finds no open subscription; the next wait's
 * look-back must then hand over exactly the events the run has not had yet, never one it already consumed
 * from its buffer (which, on the old code, it kept handing back while the stranded event waited forever).
 */
describe('a burst of one sequence reaches a looping wait completely', () => {
  let h: EventsHarness;
  const p = `burst${uniq()}`;
  const N = 20;
  // A loop over ONE wait step (the same subscription step id every time), collecting the payloads in order.
  // A stranded event never arrives, however long the wait: the timeout only has to outlast a slow, loaded machine.
  const loop: WorkflowDefinition = {
    workflow_id: `${p}-loop`,
    name: 'loop',
    version: '1.0.0',
    vars: { got: [] },
    steps: [
      { id: 'wait', type: 'wait_for_event', event: `${p}.tick`, correlation: '{% $input.key %}', timeout: '90s' },
      { id: 'add', type: 'set', vars: { got: '{% $append($vars.got, [$steps.wait.output.i]) %}' } },
      {
        id: 'more',
        type: 'switch',
        cases: [{ when: `{% $count($vars.got) < ${N} %}`, next: 'wait' }],
        default: 'done',
      },
      { id: 'done', type: 'succeed', output: '{% $vars.got %}' },
    ],
  };
  let rowId: string;

  beforeAll(async () => {
    h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
    rowId = await storeDefinition(h.db, loop);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Two looping runs (keys a and b), their 2 x N events published at once, interleaved; both must get all N in sequence order. */
  async function round(): Promise<void> {
    const keys = [`a-${uniq()}`, `b-${uniq()}`];
    const runs = await Promise.all(
      keys.map((key) => startInterpreter(h.temporal, h.config, loop, { input: { key }, rowId })),
    );
    // The first wait is registered before the burst: the race is between later waits and routing.
    await Promise.all(runs.map(({ handle }) => waitForOpenSubscription(handle.workflowId)));
    const bodies = Array.from({ length: 2 * N }, (_, j) => ({
      pattern: `${p}.tick`,
      payload: { i: j >> 1 },
      metadata: { correlationId: keys[j % 2] },
    }));
    const stored = await Promise.all(
      bodies.map(async (b) => (await h.http.post('/api/v1/events').send(b).expect(202)).body),
    );
    const results = await Promise.allSettled(runs.map(({ handle }) => handle.result()));
    keys.forEach((key, k) => {
      const expected = stored
        .filter((e) => e.metadata.correlationId === key)
        .sort((x, y) => x.sequenceNumber - y.sequenceNumber)
        .map((e) => e.payload.i);
      const r = results[k];
      expect(
        r.status === 'fulfilled'
          ? r.value
          : `run ${runs[k].handle.workflowId} failed: ${(r as PromiseRejectedResult).reason?.cause?.message ?? r.reason}`,
      ).toEqual(expected);
    });
  }

  async function waitForOpenSubscription(workflowId: string): Promise<void> {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      if (
        await h
          .db('workflow_orchestrator_service.workflow_event_subscriptions')
          .where({ temporal_workflow_id: workflowId, status: 'open' })
          .first()
      )
        return;
    }
    throw new Error(`${workflowId} never registered its wait`);
  }

  it('delivers every event of 20-event bursts (two keys interleaved) to their looping runs, 8 rounds of 3 pairs at once', async () => {
    for (let r = 0; r < 8; r++) await Promise.all([round(), round(), round()]);
  });
});
