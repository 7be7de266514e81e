/**
 * Issue #16 item 2: a wait for several events (real events, routing and subscriptions): any of several patterns,
 * all of them in any order, early events found by the look-back, late ones delivered, a timeout with what was
 * received, a closing event; every subscription is closed when the wait ends (a lost race leaves none open).
 */
import { activeWorkflow } from '../engine-runs/harness';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually } from './flows';

jest.setTimeout(120_000);
let h: EventsHarness;
const p = `mw${uniq()}`;

beforeAll(async () => {
  h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' }, worker: true });
});
afterAll(() => h?.close());

const publish = (pattern: string, order: string, payload: Record<string, unknown> = {}) =>
  h.http
    .post('/api/v1/events')
    .send({ pattern: `${p}.${pattern}`, payload: { ...payload, order }, metadata: { correlationId: order } })
    .expect(202);

async function start(workflowId: string, steps: unknown[], order: string) {
  await activeWorkflow(h.db, { workflow_id: workflowId, steps: steps as never });
  const res = await h.http
    .post(`/api/v1/workflow-definitions/${workflowId}/runs`)
    .send({ input: { order } })
    .expect(201);
  return { id: res.body.id as string, handle: h.temporal.workflow.getHandle(res.body.workflow_id as string) };
}

const subscriptions = (instanceId: string) =>
  h
    .db('workflow_orchestrator_service.workflow_event_subscriptions')
    .where({ workflow_instance_id: instanceId })
    .select('step_id', 'status');

const waiting = (id: string) =>
  eventually(async () => {
    const row = await h.db('workflow_orchestrator_service.workflow_instances').where({ id }).first();
    return row?.status === 'waiting' ? row : undefined;
  }, 20_000);

it('waits for all patterns in any order: one published before the run (look-back), one after', async () => {
  const order = `o-${uniq()}`;
  await publish('paid', order, { amount: 5 });
  const { id, handle } = await start(
    `${p}-all`,
    [
      {
        id: 'both',
        type: 'wait_for_event',
        mode: 'all',
        events: [
          { id: 'paid', event: `${p}.paid`, correlation: '{% $input.order %}' },
          { id: 'packed', event: `${p}.packed`, correlation: '{% $input.order %}' },
        ],
        timeout: '30s',
      },
      { id: 'done', type: 'succeed', output: '{% $steps.both.output %}' },
    ],
    order,
  );
  await waiting(id);
  await publish('packed', `other-${order}`); // another order's: not taken
  await publish('packed', order, { box: 1 });
  const out = (await handle.result()) as { received: Record<string, unknown>; events: Array<{ on: string }> };
  expect(out.received).toEqual({ paid: { amount: 5, order }, packed: { box: 1, order } });
  expect(out.events.map((e) => e.on)).toEqual(['paid', 'packed']);
  expect((await subscriptions(id)).map((s) => s.status)).toEqual(expect.arrayContaining(['matched']));
  expect((await subscriptions(id)).every((s) => s.status === 'matched')).toBe(true);
});

it('takes the first of several patterns and closes the other subscriptions', async () => {
  const order = `o-${uniq()}`;
  const { id, handle } = await start(
    `${p}-any`,
    [
      {
        id: 'either',
        type: 'wait_for_event',
        events: [
          { id: 'approved', event: `${p}.approved`, correlation: '{% $input.order %}' },
          { id: 'rejected', event: `${p}.rejected`, correlation: '{% $input.order %}' },
        ],
        timeout: '30s',
      },
      { id: 'done', type: 'succeed', output: '{% $steps.either.output.received %}' },
    ],
    order,
  );
  await waiting(id);
  await publish('rejected', order, { why: 'no' });
  await expect(handle.result()).resolves.toEqual({ rejected: { why: 'no', order } });
  const subs = await subscriptions(id);
  expect(subs.map((s) => `${s.step_id} ${s.status}`).sort()).toEqual([
    'either#approved cancelled',
    'either#rejected matched',
  ]);
});

it('collects events until a closing event, and reports what it had at a timeout', async () => {
  const order = `o-${uniq()}`;
  const { id, handle } = await start(
    `${p}-until`,
    [
      {
        id: 'scans',
        type: 'wait_for_event',
        events: [{ id: 'scan', event: `${p}.scanned`, correlation: '{% $input.order %}' }],
        until: { event: `${p}.delivered`, correlation: '{% $input.order %}' },
        timeout: '30s',
      },
      { id: 'done', type: 'succeed', output: '{% $steps.scans.output.events.payload.n %}' },
    ],
    order,
  );
  await waiting(id);
  for (const n of [1, 2, 3]) await publish('scanned', order, { n });
  await new Promise((r) => setTimeout(r, 1000));
  await publish('delivered', order);
  await expect(handle.result()).resolves.toEqual([1, 2, 3]);

  const late = `o-${uniq()}`;
  const timed = await start(
    `${p}-timeout`,
    [
      {
        id: 'both',
        type: 'wait_for_event',
        mode: 'all',
        events: [
          { id: 'a', event: `${p}.a`, correlation: '{% $input.order %}' },
          { id: 'b', event: `${p}.b`, correlation: '{% $input.order %}' },
        ],
        timeout: '3s',
        on_timeout: 'partial',
      },
      { id: 'never', type: 'succeed' },
      { id: 'partial', type: 'succeed', output: '{% $steps.both.output.received %}' },
    ],
    late,
  );
  await waiting(timed.id);
  await publish('a', late, { only: true });
  await expect(timed.handle.result()).resolves.toEqual({ a: { only: true, order: late } });
  expect((await subscriptions(timed.id)).map((s) => `${s.step_id} ${s.status}`).sort()).toEqual([
    'both#a matched',
    'both#b expired',
  ]);
  expect(id).toBeDefined();
});

it('stops at a condition over the events received so far', async () => {
  const order = `o-${uniq()}`;
  const { id, handle } = await start(
    `${p}-cond`,
    [
      {
        id: 'bids',
        type: 'wait_for_event',
        events: [{ id: 'bid', event: `${p}.bid`, correlation: '{% $input.order %}' }],
        until: '{% $sum($events.payload.amount) >= 100 %}',
        timeout: '30s',
      },
      { id: 'done', type: 'succeed', output: '{% $count($steps.bids.output.events) %}' },
    ],
    order,
  );
  await waiting(id);
  for (const amount of [40, 30, 50, 70]) await publish('bid', order, { amount });
  await expect(handle.result()).resolves.toBe(3);
});
