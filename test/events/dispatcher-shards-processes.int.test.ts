/**
 * Dispatcher shards are ordinary workflows: with two worker processes (`workers/main.ts`, each its own Temporal
 * identity) on one task queue, the shards' workflow tasks are completed by both, so delivery work is spread over
 * the processes instead of bound to one.
 */
import { temporal } from '@temporalio/proto';
import { dispatcherShardWorkflowId } from '../../common/events/delivery';
import { publishBatch } from '../../services/events/ingest';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { eventually } from './flows';
import { createEventsHarness, uniq, type EventsHarness } from './harness';

jest.setTimeout(240_000);

const SHARDS = 16;

describe('dispatcher shards over two worker processes', () => {
  let h: EventsHarness;
  const workers: WorkerProcess[] = [];
  const p = `shp${uniq()}`;

  beforeAll(async () => {
    // The API side only (handoff on, no worker in this process).
    h = await createEventsHarness({
      env: { EVENT_DISPATCH_SHARDS: String(SHARDS), ACCEPT_UNREGISTERED_EVENTS: 'true' },
    });
    const env = { EVENT_DISPATCH_SHARDS: String(SHARDS), EVENT_SWEEP_INTERVAL_MS: '300', EVENT_SWEEP_GRACE_MS: '500' };
    workers.push(...(await Promise.all([0, 1].map(() => startWorkerProcess(h.config.taskQueue, env)))));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    for (let index = 0; index < SHARDS; index++)
      await h.temporal.workflow
        .getHandle(dispatcherShardWorkflowId(h.config.taskQueue, { index, count: SHARDS }))
        .terminate('test done')
        .catch(() => undefined);
    await h.close();
  });

  it('has both processes complete dispatcher shards’ workflow tasks while every event is delivered', async () => {
    const batch = Array.from({ length: 96 }, (_, i) => ({
      eventId: `${p}-${i}-${uniq()}`,
      pattern: `${p}.spread`,
      payload: {},
    }));
    await publishBatch(h.deps, batch);
    const ids = batch.map((e) => e.eventId);
    await eventually(
      async () => {
        const [{ n }] = await h
          .db('event_processing_service.event_queue_state')
          .whereIn('event_id', ids)
          .where({ consumer: 'router', status: 'delivered' })
          .count({ n: '*' });
        return Number(n) === ids.length;
      },
      120_000,
      200,
    );
    // Who completed each shard's workflow tasks (the history's WorkflowTaskCompleted identities).
    const identities = new Map<string, number>();
    for (let index = 0; index < SHARDS; index++) {
      const handle = h.temporal.workflow.getHandle(
        dispatcherShardWorkflowId(h.config.taskQueue, { index, count: SHARDS }),
      );
      const history = await handle.fetchHistory().catch(() => undefined);
      for (const e of history?.events ?? []) {
        if (e.eventType !== temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) continue;
        const id = e.workflowTaskCompletedEventAttributes?.identity ?? '';
        identities.set(id, (identities.get(id) ?? 0) + 1);
      }
    }
    const pids = workers.map((w) => w.child.pid);
    // Both worker processes (identity `<pid>@<host>`) completed shard workflow tasks.
    expect(pids.map((pid) => [...identities.keys()].some((id) => id.startsWith(`${pid}@`)))).toEqual([true, true]);
  });
});
