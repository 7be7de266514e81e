/**
 * The lease on a claimed event: a pass renews it while it routes the event, so a slow route keeps its row however
 * long it takes; a claimer that died stops renewing, and one lease later another dispatcher takes the row (the late
 * renewal of the dead claim then touches nothing). The lease is short here (EVENT_CLAIM_LEASE_MS=1500) and no
 * worker runs: the test drives the dispatch pass and the claims itself.
 */
import type { Client } from '@temporalio/client';
import { dispatcherWorkflowId } from '../../common/events/delivery';
import { claimDue, renewLeases } from '../../db/repositories/event-queue-claim';
import { dispatchPending } from '../../services/events/delivery/dispatch';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { storeDefinition } from './flows';

jest.setTimeout(60_000);

const LEASE_MS = 1500;
const p = `lease${uniq()}`;
let h: EventsHarness;
let owner: string;
const started: string[] = [];

beforeAll(async () => {
  h = await createEventsHarness({
    env: { ACCEPT_UNREGISTERED_EVENTS: 'true', EVENT_CLAIM_LEASE_MS: String(LEASE_MS) },
    handoff: false,
  });
  owner = dispatcherWorkflowId(h.config.taskQueue);
  await storeDefinition(h.db, {
    workflow_id: `${p}-echo`,
    name: 'echo',
    version: '1.0.0',
    steps: [{ id: 'done', type: 'succeed', output: '{% $input %}' }],
  });
  await h.http
    .post('/api/v1/triggers')
    .send({ workflowDefinitionId: `${p}-echo`, eventPattern: `${p}.go`, triggerType: 'START' })
    .expect(201);
});
afterAll(async () => {
  // No worker runs the started runs: end them.
  await Promise.all(
    started.map((id) =>
      h.temporal.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => {}),
    ),
  );
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const queueOf = (eventId: string) =>
  h.db('event_processing_service.event_queue_state').where({ event_id: eventId, consumer: 'router' }).first();

async function publish(): Promise<string> {
  const res = await h.http
    .post('/api/v1/events')
    .send({ pattern: `${p}.go`, payload: { n: 1 } })
    .expect(202);
  return res.body.eventId as string;
}

/** A Temporal client whose workflow starts take `ms` longer: a route that outlasts several leases. */
function slowTemporal(ms: number): Client {
  const workflow = new Proxy(h.temporal.workflow, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      if (key !== 'start') return method;
      return async (...args: unknown[]) => {
        await sleep(ms);
        const handle = (await method(...args)) as { workflowId: string };
        started.push(handle.workflowId);
        return handle;
      };
    },
  });
  return Object.create(h.temporal, { workflow: { value: workflow } }) as Client;
}

it('keeps a row its pass still routes: no other claim takes it while the route outlasts the lease, and it is delivered once', async () => {
  const eventId = await publish();
  const pass = dispatchPending(
    { db: h.db, temporal: slowTemporal(LEASE_MS * 3), config: h.config },
    { dispatcherId: owner, limit: 10 },
  );
  // Two leases into the route: without renewal the row would be due again by now.
  await sleep(LEASE_MS * 2);
  expect((await queueOf(eventId)).status).toBe('delivering');
  expect(await claimDue(h.db, { owner, limit: 10, leaseSeconds: 60 })).toEqual([]);

  expect(await pass).toMatchObject({ delivered: 1, failed: 0, deadLettered: 0 });
  expect(await queueOf(eventId)).toMatchObject({ status: 'delivered', attempts: 1 });
});

it('frees the row of a claimer that died one lease later; the dead claim renews nothing once it is taken again', async () => {
  const eventId = await publish();
  // A claimer that dies right after its claim: nobody renews.
  const [dead] = await claimDue(h.db, { owner, limit: 10, leaseSeconds: LEASE_MS / 1000 });
  expect(dead).toMatchObject({ eventId, attempt: 1 });
  expect(await claimDue(h.db, { owner, limit: 10, leaseSeconds: 60 })).toEqual([]); // still leased

  await sleep(LEASE_MS + 200);
  const [again] = await claimDue(h.db, { owner, limit: 10, leaseSeconds: 60 });
  expect(again).toMatchObject({ eventId, attempt: 2 });
  const leaseEnd = (await queueOf(eventId)).next_attempt_at as Date;
  // The first claimer's late renewal names its own attempt: the second claim keeps its lease.
  expect(await renewLeases(h.db, [dead!], 1)).toBe(0);
  expect(((await queueOf(eventId)).next_attempt_at as Date).getTime()).toBe(leaseEnd.getTime());
  expect(await renewLeases(h.db, [again!], 120)).toBe(1);
  expect(((await queueOf(eventId)).next_attempt_at as Date).getTime()).toBeGreaterThan(leaseEnd.getTime());
});
