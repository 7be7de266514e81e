/**
 * Issue #13 item 4: `/metrics` counters move by exactly the known work. Runs of a definition that complete and
 * one of another that fails, events ingested (a repeat not counted) and delivered, a human task open; the API's
 * `/metrics` in its three modes; the worker's `/metrics` with the Temporal SDK's own series merged in.
 */
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApiApp } from '../../api/api-app';
import { createLogger } from '../../common/logger';
import { installTemporalRuntime } from '../../common/temporal-logging';
import { activateWorkflowDefinition, createTaskDefinition, createWorkflowDefinition } from '../../services/definitions';
import { setTaskDefinitionStatus } from '../../services/definitions';
import { setTemporalMetricsAddress } from '../../services/observability/metrics';
import { startRun } from '../../services/runs';
import { startMetricsServer, type MetricsServer } from '../../workers/metrics-server';
import { eventually } from '../events/flows';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';
import { createTestCaller } from '../helpers/auth';
import { createRunRow, insertHumanTask } from '../helpers/human-tasks';
import { sampleValue } from '../helpers/prometheus';

jest.setTimeout(120_000);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('/metrics', () => {
  let h: EventsHarness;
  let worker: MetricsServer;
  let sdkAddress: string;

  beforeAll(async () => {
    // The SDK's exporter must be installed before the harness's worker creates the (default) runtime.
    sdkAddress = `127.0.0.1:${await freePort()}`;
    installTemporalRuntime(createLogger({ level: 'silent' }), { metricsAddress: sdkAddress });
    setTemporalMetricsAddress(sdkAddress);
    h = await createEventsHarness({
      worker: true,
      env: { ACCEPT_UNREGISTERED_EVENTS: 'true', METRICS_GAUGE_CACHE_MS: '0' },
    });
    worker = await startMetricsServer({ host: '127.0.0.1', port: 0, logger: h.deps.logger });
  });
  afterAll(async () => {
    setTemporalMetricsAddress(undefined);
    await worker?.close();
    await h?.close();
  });

  const scrape = async (): Promise<string> => {
    const res = await h.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };
  const value = async (name: string, labels: Record<string, string> = {}) => sampleValue(await scrape(), name, labels);

  it('counts started, completed and failed runs by definition exactly, and their tasks and durations', async () => {
    const echo = uniq();
    await createTaskDefinition(h.db, {
      task_id: `echo-${echo}`,
      name: 'echo',
      version: '1.0.0',
      type: 'echo',
      config: {},
    });
    await setTaskDefinitionStatus(h.db, `echo-${echo}`, '1.0.0', 'active');
    const ok = `ok-${uniq()}`;
    const bad = `bad-${uniq()}`;
    await createWorkflowDefinition(h.db, {
      workflow_id: ok,
      name: 'metrics ok',
      version: '1.0.0',
      steps: [
        { id: 'call', type: 'task', task: `echo-${echo}`, input: { n: 1 } },
        { id: 'done', type: 'succeed' },
      ],
    });
    await createWorkflowDefinition(h.db, {
      workflow_id: bad,
      name: 'metrics bad',
      version: '1.0.0',
      steps: [{ id: 'no', type: 'fail', error: 'Nope', message: 'always' }],
    });
    await activateWorkflowDefinition(h.db, ok, '1.0.0');
    await activateWorkflowDefinition(h.db, bad, '1.0.0');
    const before = await scrape();
    const taskBefore = sampleValue(before, 'aos_task_attempts_total', { task_type: 'echo' });

    const N = 3;
    const starts = [
      ...Array.from({ length: N }, () => startRun(h.deps, { workflowId: ok, input: {}, trigger: { kind: 'api' } })),
      startRun(h.deps, { workflowId: bad, input: {}, trigger: { kind: 'api' } }),
    ];
    const ids = (await Promise.all(starts)).map((s) => s.instanceId);
    await eventually(async () => {
      const rows = await h
        .db('workflow_orchestrator_service.workflow_instances')
        .whereIn('id', ids)
        .whereIn('status', ['completed', 'failed']);
      return rows.length === ids.length;
    }, 60_000);
    // The counter moves right after the row's write: wait for the last increment, then check every figure exactly.
    const after = await eventually(async () => {
      const text = await scrape();
      const done = sampleValue(text, 'aos_runs_completed_total', { definition: ok }) === N;
      return done && sampleValue(text, 'aos_runs_failed_total', { definition: bad }) === 1 ? text : undefined;
    });
    expect(sampleValue(after, 'aos_runs_started_total', { definition: ok })).toBe(N);
    expect(sampleValue(after, 'aos_runs_started_total', { definition: bad })).toBe(1);
    expect(sampleValue(after, 'aos_runs_completed_total', { definition: bad })).toBe(0);
    expect(sampleValue(after, 'aos_runs_failed_total', { definition: ok })).toBe(0);
    expect(sampleValue(after, 'aos_run_duration_seconds_count', { definition: ok })).toBe(N);
    expect(sampleValue(after, 'aos_task_attempts_total', { task_type: 'echo' }) - taskBefore).toBe(N);

    // Nothing is counted twice later (a retried or replayed mirror write is a no-op).
    await new Promise((r) => setTimeout(r, 300));
    expect(await value('aos_runs_started_total', { definition: ok })).toBe(N);
    expect(await value('aos_runs_completed_total', { definition: ok })).toBe(N);
  });

  it('counts events ingested (not an idempotent repeat) and their delivery lag', async () => {
    const before = await scrape();
    const ingested = sampleValue(before, 'aos_events_ingested_total');
    const delivered = sampleValue(before, 'aos_event_delivery_lag_seconds_count');
    const p = `m${uniq()}`;
    const eventId = randomUUID();
    await h.http
      .post('/api/v1/events')
      .send({ pattern: `${p}.a`, eventId, payload: {} })
      .expect(202);
    await h.http
      .post('/api/v1/events')
      .send({ pattern: `${p}.a`, eventId, payload: {} })
      .expect(200);
    await h.http
      .post('/api/v1/events')
      .send({ pattern: `${p}.b`, payload: {} })
      .expect(202);
    await h.http
      .post('/api/v1/events/batch')
      .send({
        events: [
          { pattern: `${p}.c`, payload: {} },
          { pattern: `${p}.d`, payload: {} },
        ],
      })
      .expect((res) => expect([200, 201, 202, 207]).toContain(res.status));
    expect((await value('aos_events_ingested_total')) - ingested).toBe(4);
    await eventually(async () => (await value('aos_event_delivery_lag_seconds_count')) - delivered === 4, 30_000);
  });

  it('shows open human tasks, open dead letters and the dispatcher backlog at scrape time', async () => {
    expect(await value('aos_human_tasks_open')).toBe(0);
    const { instanceId } = await createRunRow(h.db);
    await insertHumanTask(h.db, { workflowInstanceId: instanceId });
    await insertHumanTask(h.db, { workflowInstanceId: instanceId, status: 'completed' });
    const text = await scrape();
    expect(sampleValue(text, 'aos_human_tasks_open')).toBe(1);
    expect(sampleValue(text, 'aos_dead_letters_open')).toBe(0);
    expect(text).toMatch(/^aos_dispatcher_backlog \d+$/m);
  });

  it('asks for observability:read when METRICS_API=authenticated, and is absent when off', async () => {
    const authed = createApiApp({ ...h.deps, config: { ...h.config, metricsApi: 'authenticated' } });
    await request(authed).get('/metrics').expect(401);
    const reader = await createTestCaller(h.deps, ['observability:read'], 'scraper');
    const other = await createTestCaller(h.deps, ['events:read'], 'notscraper');
    await request(authed).get('/metrics').set(other.bearer).expect(403);
    const res = await request(authed).get('/metrics').set(reader.bearer).expect(200);
    expect(res.text).toContain('# TYPE aos_runs_started_total counter');
    const off = createApiApp({ ...h.deps, config: { ...h.config, metricsApi: 'off' } });
    await request(off).get('/metrics').expect(404);
  });

  it("serves the worker's /metrics with the Temporal SDK's own series merged in", async () => {
    const text = await eventually(async () => {
      const res = await fetch(`${worker.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const body = await res.text();
      return /^temporal_workflow_completed(_total)?\{/m.test(body) ? body : undefined;
    }, 30_000);
    expect(text).toContain('# TYPE aos_runs_completed_total counter');
    expect(text).toMatch(/^aos_process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{/m);
    expect((await fetch(`${worker.url}/other`)).status).toBe(404);
  });
});
