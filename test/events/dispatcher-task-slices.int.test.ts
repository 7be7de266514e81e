/**
 * The event dispatcher drains a backlog in back-to-back passes (local activities inside one workflow task);
 * it ends the workflow task with a 1 ms timer once the task is `maxTaskSliceMs` old, so a long drain never
 * holds one workflow task open (queries wait behind it; the SDK warns past 5 s).
 */
import type { Client } from '@temporalio/client';
import type { DispatchRequest, DispatchResult, DispatcherInput } from '../../common/events/delivery';
import { createTestClient, startTestWorker, uniqueTaskQueue, type RunningTestWorker } from '../helpers/temporal';

const taskQueue = uniqueTaskQueue('dispatcher-slices');
let client: Client;
let worker: RunningTestWorker;
/** Per dispatcher id: how many full passes it gets, and how long each pass takes. */
const scripts = new Map<string, { full: number; passMs: number; calls: number }>();

beforeAll(async () => {
  client = await createTestClient();
  const dispatchPending = async (req: DispatchRequest): Promise<DispatchResult> => {
    const s = scripts.get(req.dispatcherId)!;
    s.calls += 1;
    await new Promise((r) => setTimeout(r, s.passMs));
    return { delivered: 1, failed: 0, deadLettered: 0, full: s.calls <= s.full, nextDueInMs: null };
  };
  worker = await startTestWorker({ taskQueue, activities: { dispatchPending } });
});

afterAll(async () => {
  await worker?.stop();
  await client?.connection.close();
});

/** The history's events by kind (only the kinds these tests count). */
function kinds(events: Array<Record<string, unknown>>): string[] {
  const kind = (e: Record<string, unknown>) =>
    ['markerRecorded', 'timerStarted', 'timerFired', 'workflowTaskCompleted'].find((k) => e[`${k}EventAttributes`]) ??
    'other';
  return events.map((e) => kind(e).replace('markerRecorded', 'marker'));
}

/** Runs a dispatcher through `full` full passes and the idle one after; returns its history's event kinds in order. */
async function drain(
  name: string,
  input: DispatcherInput,
  full: number,
  passMs: number,
  markers: number,
): Promise<string[]> {
  const workflowId = `${name}-${taskQueue}`;
  scripts.set(workflowId, { full, passMs, calls: 0 });
  const handle = await client.workflow.start('eventDispatcherWorkflow', { taskQueue, workflowId, args: [input] });
  while (scripts.get(workflowId)!.calls <= full) await new Promise((r) => setTimeout(r, 50));
  // The idle pass has answered: its marker is recorded when its workflow task completes.
  let types: string[] = [];
  for (let i = 0; i < 100; i++) {
    types = kinds(((await handle.fetchHistory()).events ?? []) as unknown as Array<Record<string, unknown>>);
    if (types.filter((t) => t === 'marker').length >= markers) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await handle.terminate('test done');
  return types;
}

describe('eventDispatcherWorkflow workflow-task slices', () => {
  it('keeps fast back-to-back passes in one workflow task (no timer) under the default slice', async () => {
    const types = await drain('fast', {}, 3, 0, 4);
    expect(types).not.toContain('timerStarted');
    expect(types.filter((t) => t === 'marker')).toHaveLength(4); // 3 full passes + the idle one, no patch marker
  });

  it('ends the workflow task with a 1 ms timer once it is maxTaskSliceMs old, then goes on', async () => {
    // Each pass takes 300 ms and a task may chain passes for 500 ms: a yield about every second pass (every
    // pass on a machine slow enough to stretch one past 500 ms), and all five passes still run.
    const types = await drain('slow', { maxTaskSliceMs: 500 }, 4, 300, 6);
    const yields = types.filter((t) => t === 'timerStarted').length;
    expect(yields).toBeGreaterThanOrEqual(2);
    expect(yields).toBeLessThanOrEqual(4);
    expect(types.filter((t) => t === 'timerFired')).toHaveLength(yields);
    expect(types.filter((t) => t === 'marker')).toHaveLength(6); // 5 passes + the patch marker
  });
});
