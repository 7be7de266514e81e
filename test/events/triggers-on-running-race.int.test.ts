/**
 * on_running under concurrency: events with one correlation key routed at the same time (parallel dispatcher
 * lanes, two dispatcher passes or workers) start one run; the others skip or signal it.
 */
import type { WorkflowDefinition } from '../../common/definitions/types';
import type { RoutingResult } from '../../common/events/delivery';
import { routeToTriggers } from '../../services/events/routing/route-triggers';
import { getEventsByEventIds } from '../../db/repositories/event-instances';
import { wakeDispatcher } from '../../services/events/handoff';
import { createEventsHarness, uniq, type EventsHarness } from './harness';
import { eventually, storeDefinition } from './flows';

jest.setTimeout(60_000);

const WI = 'workflow_orchestrator_service.workflow_instances';
const N = 8;

describe('triggers: on_running is atomic when events with one correlation key are routed concurrently', () => {
  let h: EventsHarness;
  const p = `tro${uniq()}`;
  // Events are stored without waking the dispatcher (and the sweeper waits an hour): each test routes them itself.
  beforeAll(async () => {
    h = await createEventsHarness({
      env: { ACCEPT_UNREGISTERED_EVENTS: 'true', EVENT_SWEEP_GRACE_MS: '3600000' },
      handoff: false,
      worker: true,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  /** A definition whose runs stay live (waiting for an event nobody sends) and a START trigger on `pattern`. */
  async function waitingJob(name: string, pattern: string, onRunning: 'skip' | 'signal'): Promise<string> {
    const def: WorkflowDefinition = {
      workflow_id: `${p}-${name}`,
      name,
      version: '1.0.0',
      steps: [{ id: 'wait', type: 'wait_for_event', event: `${p}.never`, timeout: '10m' }],
    };
    await storeDefinition(h.db, def);
    await h.http
      .post('/api/v1/triggers')
      .send({
        workflowDefinitionId: def.workflow_id,
        eventPattern: pattern,
        triggerType: 'START',
        correlationKey: 'payload.key',
        onRunning,
      })
      .expect(201);
    return def.workflow_id;
  }
  /** Stores `n` events of `pattern` per key (one batch); returns their eventIds in key order. */
  async function storeEvents(pattern: string, keys: string[], n: number): Promise<string[]> {
    const events = keys.flatMap((key) =>
      Array.from({ length: n }, (_, i) => ({ eventId: `${key}-${i}`, pattern, payload: { key, i } })),
    );
    await h.http.post('/api/v1/events/batch').send({ events }).expect(202);
    return events.map((e) => e.eventId);
  }
  /** Routes every event to the triggers at the same time, as parallel lanes would. */
  async function routeConcurrently(eventIds: string[]): Promise<Map<string, RoutingResult>> {
    const deps = { db: h.db, temporal: h.temporal, config: h.config };
    const events = await getEventsByEventIds(h.db, eventIds);
    const outs = await Promise.all(
      events.map(async (e) => {
        const out: RoutingResult = { started: [], cancelled: [], signalled: [], skipped: [] };
        await routeToTriggers(deps, e, out);
        return [e.eventId, out] as const;
      }),
    );
    // Recorded as the dispatcher would, so a later dispatcher pass does not route them again.
    await h
      .db('event_processing_service.event_queue_state')
      .whereIn('event_id', eventIds)
      .where({ consumer: 'router' })
      .update({ status: 'delivered' });
    return new Map(outs);
  }
  const runsOf = (definition: string, key: string) =>
    h.db(WI).where({ definition_workflow_id: definition, correlation_key: key });
  /** The eventIds of the `aosEvent` signals in the run's history. */
  async function signalledEventIds(workflowId: string): Promise<string[]> {
    const history = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .map((e) => e.workflowExecutionSignaledEventAttributes)
      .filter((a) => a?.signalName === 'aosEvent')
      .map(
        (a) => (JSON.parse(Buffer.from(a!.input!.payloads![0].data!).toString('utf8')) as { eventId: string }).eventId,
      );
  }

  it('starts one run per correlation key and skips the other events naming it (on_running = skip)', async () => {
    const definition = await waitingJob('skip', `${p}.skip.go`, 'skip');
    const keys = [`a-${uniq()}`, `b-${uniq()}`];
    const outs = await routeConcurrently(await storeEvents(`${p}.skip.go`, keys, N));

    for (const key of keys) {
      const ofKey = [...outs].filter(([eventId]) => eventId.startsWith(`${key}-`)).map(([, out]) => out);
      const winners = ofKey.filter((o) => o.started.length > 0);
      expect(winners).toHaveLength(1);
      const run = winners[0]!.started[0]!;
      expect(run.started).toBe(true);
      const losers = ofKey.filter((o) => o.started.length === 0);
      expect(losers.map((o) => o.skipped.map((s) => s.reason))).toEqual(
        Array(N - 1).fill([`running: ${run.workflowId}`]),
      );
      const rows = await runsOf(definition, key);
      expect(rows.map((r) => r.temporal_workflow_id)).toEqual([run.workflowId]);
      await expect(h.temporal.workflow.getHandle(run.workflowId).describe()).resolves.toMatchObject({
        status: { name: 'RUNNING' },
      });
    }
  });

  it('starts one run per correlation key and signals it with each other event (on_running = signal)', async () => {
    const definition = await waitingJob('signal', `${p}.signal.go`, 'signal');
    const key = `c-${uniq()}`;
    const eventIds = await storeEvents(`${p}.signal.go`, [key], N);
    const outs = await routeConcurrently(eventIds);

    const winners = [...outs].filter(([, o]) => o.started.length > 0);
    expect(winners).toHaveLength(1);
    const [
      winnerEventId,
      {
        started: [run],
      },
    ] = winners[0]!;
    expect(run!.started).toBe(true);
    const losers = [...outs].filter(([, o]) => o.started.length === 0);
    for (const [, o] of losers) expect(o).toMatchObject({ signalled: [{ workflowId: run!.workflowId }], skipped: [] });
    expect((await runsOf(definition, key)).map((r) => r.temporal_workflow_id)).toEqual([run!.workflowId]);
    // Each other event reached the run exactly once; the event that started it never did. (Signals that arrive
    // while a workflow task is in flight enter the history when that task completes: wait for them.)
    await eventually(async () => (await signalledEventIds(run!.workflowId)).length >= N - 1);
    expect((await signalledEventIds(run!.workflowId)).sort()).toEqual(
      eventIds.filter((id) => id !== winnerEventId).sort(),
    );
  });

  it('starts one run when the dispatcher routes the events in parallel lanes (events without a sequence key)', async () => {
    const definition = await waitingJob('lanes', `${p}.lanes.go`, 'skip');
    const key = `d-${uniq()}`;
    const eventIds = await storeEvents(`${p}.lanes.go`, [key], N);
    await wakeDispatcher(h.temporal, h.config);
    const delivered = async () =>
      Number(
        (
          await h
            .db('event_processing_service.event_queue_state')
            .whereIn('event_id', eventIds)
            .where({ consumer: 'router', status: 'delivered' })
            .count({ n: '*' })
        )[0]!.n,
      );
    await eventually(async () => (await delivered()) === N);
    const rows = await runsOf(definition, key);
    expect(rows).toHaveLength(1);
  });
});
