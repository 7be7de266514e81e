/**
 * Availability: one definition must never take down a worker. The worker runs in its own process, so a crash
 * is observable; a health probe (trigger start, then a resume through wait_for_event) must complete while the
 * hostile run is in flight and afterwards.
 *
 * Before the block limits, a foreach over 100,000 items with a set step ran every iteration in one workflow
 * activation; past the SDK's 5 s deadlock timeout the isolate was terminated mid-microtask and Node aborted the
 * whole worker process ("async hook stack has become corrupted"), again on every replay.
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { BLOCK_LIMITS } from '../../common/definitions/limits';
import type { Step } from '../../common/definitions/types';
import { startRun } from '../../services/runs';
import { activeTask, activeWorkflow } from '../engine-runs/harness';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';
import { installHealthProbe, type HealthProbe } from '../helpers/health-probe';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

jest.setTimeout(240_000);

let h: EventsHarness;
let worker: WorkerProcess;
let probe: HealthProbe;
const sfx = uniq();
const WI = 'workflow_orchestrator_service.workflow_instances';

beforeAll(async () => {
  h = await createEventsHarness({ env: { ACCEPT_UNREGISTERED_EVENTS: 'true' } });
  worker = await startWorkerProcess(h.config.taskQueue);
  probe = await installHealthProbe(h);
  await activeTask(h.db, { task_id: `echo-${sfx}`, type: 'echo' });
});

afterAll(async () => {
  await worker?.kill();
  await h?.close();
});

/** The run's outcome, or a failure naming the worker's last words when the worker process dies first. */
async function outcome(handle: WorkflowHandle): Promise<{ output?: unknown; error?: unknown }> {
  const died = new Promise<never>((_, reject) =>
    worker.child.once('exit', (code, signal) =>
      reject(new Error(`worker process died (${code ?? signal}):\n${worker.output().slice(-2000)}`)),
    ),
  );
  if (!worker.alive()) throw new Error(`worker process is down:\n${worker.output().slice(-2000)}`);
  return Promise.race([
    died,
    handle.result().then(
      (output) => ({ output }),
      (error: unknown) => ({ error }),
    ),
  ]);
}

async function run(id: string, steps: Step[]) {
  await activeWorkflow(h.db, { workflow_id: `${id}-${sfx}`, steps });
  const started = await startRun(h.deps, { workflowId: `${id}-${sfx}`, input: {} });
  return { ...started, handle: h.temporal.workflow.getHandle(started.workflowId) };
}

const setBody: Step[] = [{ id: 's', type: 'set', vars: { x: '{% $item %}' } }];

describe.each([
  ['default concurrency', {}],
  ['concurrency 0', { concurrency: 0 }],
])('a foreach over 100,000 items with a set step (%s)', (name, concurrency) => {
  it('fails the run with LimitExceeded, the worker stays up, and the health probe completes during and after', async () => {
    const r = await run(`huge-${name.replace(/\W/g, '')}`, [
      { id: 'each', type: 'foreach', items: '{% [1..100000] %}', ...concurrency, steps: setBody },
    ]);
    const [result, during] = await Promise.all([outcome(r.handle), probe.run()]);
    expect(result.error).toBeInstanceOf(WorkflowFailedError);
    const cause = (result.error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('LimitExceeded');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain(`foreach over 100000 items, the limit is ${BLOCK_LIMITS.foreachMaxItems}`);
    expect(during.ms).toBeGreaterThan(0);
    const row = await h.db(WI).where({ id: r.instanceId }).first();
    expect(row).toMatchObject({ status: 'failed', error: { type: 'LimitExceeded' } });
    // Nothing was scheduled: no iteration ran, no activity, no child.
    const history = await r.handle.fetchHistory();
    expect(
      (history.events ?? []).filter(
        (e) => e.activityTaskScheduledEventAttributes || e.startChildWorkflowExecutionInitiatedEventAttributes,
      ),
    ).toHaveLength(0);
    expect(worker.alive()).toBe(true);
    await probe.run();
    expect(worker.alive()).toBe(true);
  });
});

describe('the largest allowed foreach', () => {
  const items = `{% [1..${BLOCK_LIMITS.foreachMaxItems}] %}`;

  it.each([
    ['a set step, default concurrency', {}, setBody],
    ['a set step, concurrency 0', { concurrency: 0 }, setBody],
    [
      'a task step, default concurrency',
      {},
      [{ id: 't', type: 'task', task: `echo-${sfx}`, input: { v: '{% $item %}' } }] as Step[],
    ],
  ])(
    'runs to completion with %s, while the worker stays up and the probe completes',
    async (name, concurrency, body) => {
      const r = await run(`max-${name.replace(/\W/g, '')}`, [
        { id: 'each', type: 'foreach', items, ...concurrency, steps: body },
      ]);
      const [result] = await Promise.all([outcome(r.handle), probe.run()]);
      expect(result.error).toBeUndefined();
      expect(result.output).toHaveLength(BLOCK_LIMITS.foreachMaxItems);
      expect((result.output as unknown[])[BLOCK_LIMITS.foreachMaxItems - 1]).toEqual(
        body[0].type === 'set' ? { x: BLOCK_LIMITS.foreachMaxItems } : { v: BLOCK_LIMITS.foreachMaxItems },
      );
      // Far from Temporal's history limits (warning at 10,240 events, refusal at 51,200).
      expect((await r.handle.describe()).historyLength).toBeLessThan(10_240);
      expect(worker.alive()).toBe(true);
    },
  );
});

describe('a loop of 3,000 rounds through set and switch steps (no block at all)', () => {
  it('completes: each activation runs a bounded number of steps, the worker stays up and the probe completes', async () => {
    const r = await run('loop', [
      { id: 'init', type: 'set', vars: { i: 0 } },
      { id: 'inc', type: 'set', vars: { i: '{% $vars.i + 1 %}' } },
      { id: 'again', type: 'switch', cases: [{ when: '{% $vars.i < 3000 %}', next: 'inc' }] },
      { id: 'done', type: 'succeed', output: '{% $vars.i %}' },
    ]);
    const [result] = await Promise.all([outcome(r.handle), probe.run()]);
    expect(result).toEqual({ output: 3_000 });
    expect(worker.alive()).toBe(true);
  });
});
