/**
 * A database outage delays runs, never fails them: the engine's own activities (here registerSubscription)
 * retry an unreachable database without an attempt limit, and fail at once on a real error. The worker's
 * database is a TCP proxy to the test database that the test stops (the shared server is never touched);
 * the run's `engineRetry` option shortens the backoff so the outage outlasts the old limit of 10 attempts in
 * seconds instead of minutes.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../common/logger';
import { createDb } from '../../db/connection';
import { startRun } from '../../services/runs';
import { createOrchestratorWorker } from '../../workers/orchestrator';
import { TEST_ENV } from '../harness-state';
import { temporalAddress } from '../helpers/temporal';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { activeWorkflow, startRunHarness, type RunHarness } from './harness';

const WI = 'workflow_orchestrator_service.workflow_instances';
const SUBS = 'workflow_orchestrator_service.workflow_event_subscriptions';
const OLD_MAX_ATTEMPTS = 10;
const FAST_RETRY = { engineRetry: { initialIntervalMs: 50, maximumIntervalMs: 200 } };
const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
jest.setTimeout(120_000);

let h: RunHarness;
let proxy: TcpProxy;
let proxiedDb: Knex;
let worker: Worker;
let running: Promise<void>;
let connection: NativeConnection;
const waits = id('outage-wait');

beforeAll(async () => {
  h = await startRunHarness({ worker: false });
  const url = new URL(process.env[TEST_ENV.databaseUrl]!);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  proxiedDb = createDb({ url: url.toString(), poolMax: 3 });
  connection = await NativeConnection.connect({ address: temporalAddress() });
  worker = await createOrchestratorWorker({
    config: h.config,
    db: proxiedDb,
    logger: createLogger({ level: 'silent' }),
    connection,
    temporal: h.client,
    workflowBundlePath: process.env[TEST_ENV.bundlePath],
  });
  running = worker.run();
  await activeWorkflow(h.db, {
    workflow_id: waits,
    steps: [
      {
        id: 'await',
        type: 'wait_for_event',
        event: 'outage.test',
        correlation: '{% $input.key %}',
        timeout: '1s',
        on_timeout: 'end',
      },
      { id: 'end', type: 'succeed', output: 'waited' },
    ],
  } as never);
});

afterAll(async () => {
  await proxy?.start().catch(() => undefined);
  worker?.shutdown();
  await running;
  await connection?.close();
  await proxiedDb?.destroy();
  await h?.close();
});

/** The attempt of the run's pending activity (0 while none is pending). */
async function pendingAttempt(workflowId: string): Promise<number> {
  const d = await h.client.workflow.getHandle(workflowId).describe();
  return d.raw.pendingActivities?.[0]?.attempt ?? 0;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a database outage during a run', () => {
  it('when registerSubscription cannot reach the database for longer than the old attempt limit, then the run waits and completes once it is back', async () => {
    await proxy.stop();
    let res;
    try {
      res = await startRun(h.deps, { workflowId: waits, input: { key: id('k') }, options: FAST_RETRY });
      const attempts = await until(
        'registerSubscription to outlast the old attempt limit',
        () => pendingAttempt(res!.workflowId),
        (n) => n > OLD_MAX_ATTEMPTS + 2,
      );
      expect(attempts).toBeGreaterThan(OLD_MAX_ATTEMPTS);
      const d = await h.client.workflow.getHandle(res.workflowId).describe();
      expect(d.status.name).toBe('RUNNING');
      expect(d.raw.pendingActivities?.[0]?.lastFailure?.message).toMatch(/unavailable.*ECONNREFUSED/);
    } finally {
      await proxy.start();
    }
    await expect(h.client.workflow.getHandle(res.workflowId).result()).resolves.toBe('waited');
    expect(await h.db(SUBS).where({ temporal_workflow_id: res.workflowId }).pluck('status')).toEqual(['expired']);
    await until(
      'the mirror to record the end',
      () => h.db(WI).where({ id: res.instanceId }).first('status'),
      (r) => r?.status === 'completed',
      10_000,
    );
  });

  it('when the database refuses the request itself (a value too long for its column), then the step fails at once, not after retries', async () => {
    const res = await startRun(h.deps, { workflowId: waits, input: { key: 'x'.repeat(600) }, options: FAST_RETRY });
    const err = await h.client.workflow
      .getHandle(res.workflowId)
      .result()
      .then(
        () => undefined,
        (e: Error & { cause?: { type?: string; message?: string } }) => e,
      );
    expect(err?.cause?.type).toBe('DatabaseError');
    expect(err?.cause?.message).toMatch(/SQLSTATE 22001/);
    const history = await h.client.workflow.getHandle(res.workflowId).fetchHistory();
    const failedAttempts = (history.events ?? []).map((e) => e.activityTaskFailedEventAttributes).filter(Boolean);
    expect(failedAttempts).toHaveLength(1);
    const started = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes).filter(Boolean);
    expect(started.map((s) => s!.attempt)).toEqual([1]);
  });
});
