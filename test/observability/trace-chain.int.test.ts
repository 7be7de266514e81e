/**
 * Issue #13, "done when": one trace followed end to end through the real API app, worker, Temporal and
 * PostgreSQL, with this process's tracing writing spans to observability_traces. An event published with a
 * `traceparent` header starts run A (trigger); A's `http` task calls a local server, which receives the trace,
 * and A's `emit_event` step emits the event that resumes run B, started beforehand through the API and waiting
 * for it. The stored spans form one tree, read through `GET /observability/traces/{traceId}`, whose parents are
 * walked from the HTTP call and from B's signal handler up to the caller's span. Then: a failed step's log lines
 * found by run id and trace id through `GET /observability/logs`; and with the telemetry database unreachable,
 * runs still complete while the logs, traces and metrics writers count their drops in `/metrics`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../common/logger';
import { installTemporalRuntime } from '../../common/temporal-logging';
import { createDb } from '../../db/connection';
import {
  activateWorkflowDefinition,
  createTaskDefinition,
  createWorkflowDefinition,
  setTaskDefinitionStatus,
} from '../../services/definitions';
import { createLogSink, type LogSink } from '../../services/observability/log-sink';
import { createMetricsRollup } from '../../services/observability/metrics-rollup';
import type { ProcessTracing } from '../../services/observability/tracing';
import { setupTestTracing } from '../helpers/tracing';
import { eventually } from '../events/flows';
import { createEventsHarness, uniq, type EventsHarness } from '../events/harness';
import { sampleValue } from '../helpers/prometheus';
import { TEST_ENV } from '../harness-state';

jest.setTimeout(120_000);

/** A node of the REST answer's span tree. */
interface SpanNode {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  status: string;
  service: string | null;
  temporal_workflow_id: string | null;
  workflow_instance_id: string | null;
  attributes: Record<string, unknown>;
  orphan: boolean;
  children: SpanNode[];
}
interface TraceAnswer {
  trace_id: string;
  roots: SpanNode[];
  totals: { span_count: number; error_count: number };
  truncated: boolean;
}
type RunRow = { id: string; temporal_workflow_id: string; status: string };

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

let tracing: ProcessTracing;
let logSink: LogSink;
let h: EventsHarness;
let server: Server;
let serverUrl: string;
/** Requests the local server received: path and headers. */
const hits: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
const p = `chain${uniq()}`;
const ids = {
  http: `${p}-call`,
  a: `${p}-a`,
  b: `${p}-b`,
  failing: `${p}-failing`,
  plain: `${p}-plain`,
};

beforeAll(async () => {
  tracing = setupTestTracing();
  logSink = createLogSink({ level: 'info', intervalMs: 50, report: () => undefined });
  const logger = createLogger({ level: 'silent', name: 'aos-test', sinks: [logSink.destination] });
  // Before the first NativeConnection: workflow `log` lines go to this logger (and so to the sink).
  installTemporalRuntime(logger);
  h = await createEventsHarness({
    worker: true,
    logger,
    env: { ACCEPT_UNREGISTERED_EVENTS: 'true', EGRESS_ALLOW: process.env[TEST_ENV.egressAllow] ?? '127.0.0.1' },
  });
  tracing.startDb(h.db);
  logSink.start(h.db);

  server = createServer((req, res) => {
    hits.push({ path: req.url ?? '', headers: req.headers });
    const failing = req.url?.startsWith('/fail');
    res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: !failing }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const task = async (taskId: string, config: Record<string, unknown>) => {
    await createTaskDefinition(h.db, { task_id: taskId, name: taskId, version: '1.0.0', type: 'http', config });
    await setTaskDefinitionStatus(h.db, taskId, '1.0.0', 'active');
  };
  await task(ids.http, { method: 'GET', url: '{% $input.url %}', response: '{% $response.body %}' });
  const workflow = async (workflowId: string, steps: unknown[]) => {
    await createWorkflowDefinition(h.db, {
      workflow_id: workflowId,
      name: workflowId,
      version: '1.0.0',
      steps,
    } as never);
    await activateWorkflowDefinition(h.db, workflowId, '1.0.0');
  };
  // A: started by `<p>.requested`; calls the local server, then emits `<p>.done` with its correlation key.
  await workflow(ids.a, [
    { id: 'call', type: 'task', task: ids.http, input: { url: `${serverUrl}/hello` } },
    { id: 'announce', type: 'emit_event', event: `${p}.done`, payload: { from: 'a' } },
    { id: 'end', type: 'succeed' },
  ]);
  // B: waits for `<p>.done` with its own key, then finishes.
  await workflow(ids.b, [
    { id: 'wait', type: 'wait_for_event', event: `${p}.done`, correlation: '{% $input.key %}', timeout: '60s' },
    { id: 'after', type: 'succeed', output: '{% $steps.wait.output %}' },
  ]);
  // A run whose http task fails (a 500, no retry): the failed step's logs.
  await workflow(ids.failing, [
    {
      id: 'call',
      type: 'task',
      task: ids.http,
      input: { url: `${serverUrl}/fail` },
      retry: { max_attempts: 1 },
    },
  ]);
  await workflow(ids.plain, [
    { id: 'call', type: 'task', task: ids.http, input: { url: `${serverUrl}/plain` } },
    { id: 'end', type: 'succeed' },
  ]);
  const trigger = async (workflowDefinitionId: string, eventPattern: string) =>
    h.http
      .post('/api/v1/triggers')
      .send({ workflowDefinitionId, eventPattern, triggerType: 'START', correlationKey: 'payload.key' })
      .expect(201);
  await trigger(ids.a, `${p}.requested`);
  await trigger(ids.failing, `${p}.failing`);
});

afterAll(async () => {
  // The writers flush before the harness closes the pool they write through.
  await tracing?.shutdown(2000);
  await logSink?.close(2000);
  await h?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** The run a START trigger began for `eventId`, once it reached one of `statuses`. */
async function runOfEvent(eventId: string, statuses: string[]): Promise<RunRow> {
  return eventually(
    () =>
      h
        .db('workflow_orchestrator_service.workflow_instances')
        .whereRaw(`trigger->>'eventId' = ?`, [eventId])
        .whereIn('status', statuses)
        .first() as Promise<RunRow | undefined>,
    60_000,
  );
}

async function runRow(id: string): Promise<RunRow> {
  return h.db('workflow_orchestrator_service.workflow_instances').where({ id }).first();
}

/** Every node of the tree, depth first. */
function flatten(nodes: SpanNode[]): SpanNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/** The trace as the REST endpoint answers it, once `ready` holds for its spans (the span writer flushed). */
async function traceWhen(traceId: string, ready: (spans: SpanNode[]) => boolean): Promise<TraceAnswer> {
  return eventually(async () => {
    const res = await h.http.get(`/api/v1/observability/traces/${traceId}`);
    if (res.status === 404) return undefined;
    expect(res.status).toBe(200);
    const body = res.body as TraceAnswer;
    return ready(flatten(body.roots)) ? body : undefined;
  }, 60_000);
}

describe('one trace from an event through two runs', () => {
  const traceId = hex(16);
  const callerSpan = hex(8);
  const key = `k-${uniq()}`;
  let a: RunRow;
  let b: RunRow;
  let tree: TraceAnswer;
  let spans: SpanNode[];
  let byId: Map<string, SpanNode>;

  /** Names from `span` up to its root, following parent_span_id through the stored spans. */
  const ancestry = (span: SpanNode): string[] => {
    const names: string[] = [];
    for (let at: SpanNode | undefined = span; at; at = at.parent_span_id ? byId.get(at.parent_span_id) : undefined)
      names.push(at.name);
    return names;
  };
  const only = (pred: (s: SpanNode) => boolean, what: string): SpanNode => {
    const found = spans.filter(pred);
    if (found.length !== 1) throw new Error(`expected one span ${what}, found ${found.map((s) => s.name).join(', ')}`);
    return found[0]!;
  };

  beforeAll(async () => {
    // B starts first, through the API, in a trace of its own, and waits for `<p>.done` with the key.
    const started = await h.http
      .post(`/api/v1/workflow-definitions/${ids.b}/runs`)
      .send({ input: { key } })
      .expect(201);
    b = await runRow(started.body.id);
    await eventually(() =>
      h
        .db('workflow_orchestrator_service.workflow_event_subscriptions')
        .where({ temporal_workflow_id: b.temporal_workflow_id, status: 'open' })
        .first(),
    );
    // The event, sent by a caller whose span is `callerSpan` of `traceId`.
    const eventId = `e-${uniq()}`;
    await h.http
      .post('/api/v1/events')
      .set('traceparent', `00-${traceId}-${callerSpan}-01`)
      .send({ eventId, pattern: `${p}.requested`, payload: { key } })
      .expect(202);
    a = await runOfEvent(eventId, ['completed', 'failed']);
    expect(a.status).toBe('completed');
    await expect(h.temporal.workflow.getHandle(b.temporal_workflow_id).result()).resolves.toEqual({ from: 'a' });
    // Spans leave in batches, from several places (the request, the routing, the activities, the workflow sink
    // when a workflow task completes), in no fixed order: a parent may be stored after its child. Wait until every
    // span the assertions walk through is stored.
    const expected = [
      ...['POST /api/v1/events', 'RunWorkflow:interpreterWorkflow', 'StartWorkflow:interpreterWorkflow'],
      ...['step call', 'StartActivity:runTask', 'RunActivity:runTask', 'HTTP GET', 'step announce'],
      ...['StartActivity:emitEvent', 'RunActivity:emitEvent', 'SignalWorkflow:aosEvent', 'HandleSignal:aosEvent'],
      ...['requested', 'done'].flatMap((e) => [`event.ingest ${p}.${e}`, `event.route ${p}.${e}`]),
      `event.emit ${p}.done`,
    ];
    tree = await traceWhen(traceId, (all) => expected.every((name) => all.some((s) => s.name === name)));
    spans = flatten(tree.roots);
    byId = new Map(spans.map((s) => [s.span_id, s]));
  });

  it("the local server received a traceparent of the event's trace, naming the HTTP client span", () => {
    const hello = hits.filter((x) => x.path === '/hello');
    expect(hello).toHaveLength(1);
    const received = String(hello[0]!.headers.traceparent);
    expect(received).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const client = only((s) => s.name === 'HTTP GET', 'HTTP GET');
    expect(received.split('-')[2]).toBe(client.span_id);
    expect(client.kind).toBe('client');
  });

  it("is one tree whose only root is the request's SERVER span, under the caller's (unstored) span", () => {
    expect(tree.trace_id).toBe(traceId);
    expect(tree.truncated).toBe(false);
    expect(tree.roots.map((r) => r.name)).toEqual(['POST /api/v1/events']);
    const [root] = tree.roots;
    // The caller's span is not stored: the root is marked orphan, its parent the caller's span id.
    expect(root).toMatchObject({ kind: 'server', parent_span_id: callerSpan, orphan: true });
    expect(spans.every((s) => s.trace_id === traceId)).toBe(true);
    expect(tree.totals.span_count).toBe(spans.length);
    expect(tree.totals.error_count).toBe(0);
    // The event dispatcher (woken, and started, by this request and by the emit) is not part of the trace: its
    // wake-ups are sent untraced, and each event's routing joins the event's trace on its own.
    expect(spans.filter((s) => s.temporal_workflow_id?.startsWith('aos-event-dispatcher:'))).toEqual([]);
    expect(spans.filter((s) => /^(SignalWithStartWorkflow|event\.dispatch)/.test(s.name))).toEqual([]);
  });

  it('parents the HTTP call: request -> ingest -> route -> StartWorkflow -> run A -> step -> activity -> HTTP', () => {
    const client = only((s) => s.name === 'HTTP GET', 'HTTP GET');
    expect(ancestry(client)).toEqual([
      'HTTP GET',
      'RunActivity:runTask',
      'StartActivity:runTask',
      'step call',
      'RunWorkflow:interpreterWorkflow',
      'StartWorkflow:interpreterWorkflow',
      `event.route ${p}.requested`,
      `event.ingest ${p}.requested`,
      'POST /api/v1/events',
    ]);
    const run = byId.get(
      byId.get(byId.get(byId.get(client.parent_span_id!)!.parent_span_id!)!.parent_span_id!)!.parent_span_id!,
    )!;
    expect(run).toMatchObject({ temporal_workflow_id: a.temporal_workflow_id, workflow_instance_id: a.id });
    expect(byId.get(run.parent_span_id!)!.attributes).toMatchObject({ temporalWorkflowId: a.temporal_workflow_id });
    const route = only((s) => s.name === `event.route ${p}.requested`, 'route requested');
    expect(route).toMatchObject({ kind: 'consumer' });
    expect(route.attributes).toMatchObject({
      'aos.route.runs_started': 1,
      'aos.route.started_workflow_ids': [a.temporal_workflow_id],
    });
    expect(only((s) => s.name === `event.ingest ${p}.requested`, 'ingest requested').kind).toBe('producer');
  });

  it("parents B's resumption: run A's emit step -> event.emit -> ingest -> route -> SignalWorkflow -> HandleSignal in B", () => {
    const handler = only(
      (s) => s.name === 'HandleSignal:aosEvent' && s.temporal_workflow_id === b.temporal_workflow_id,
      'HandleSignal in B',
    );
    expect(ancestry(handler)).toEqual([
      'HandleSignal:aosEvent',
      'SignalWorkflow:aosEvent',
      `event.route ${p}.done`,
      `event.ingest ${p}.done`,
      `event.emit ${p}.done`,
      'RunActivity:emitEvent',
      'StartActivity:emitEvent',
      'step announce',
      'RunWorkflow:interpreterWorkflow',
      'StartWorkflow:interpreterWorkflow',
      `event.route ${p}.requested`,
      `event.ingest ${p}.requested`,
      'POST /api/v1/events',
    ]);
    const runA = only(
      (s) => s.name === 'RunWorkflow:interpreterWorkflow' && s.temporal_workflow_id === a.temporal_workflow_id,
      'RunWorkflow A',
    );
    // The emit step is A's (the same RunWorkflow span as its HTTP call's step).
    expect(only((s) => s.name === 'step announce', 'step announce').parent_span_id).toBe(runA.span_id);
    expect(only((s) => s.name === 'step call', 'step call').parent_span_id).toBe(runA.span_id);
    const route = only((s) => s.name === `event.route ${p}.done`, 'route done');
    expect(route.attributes).toMatchObject({
      'aos.event_correlation': key,
      'aos.route.waits_resumed': 1,
      'aos.route.resumed_workflow_ids': [b.temporal_workflow_id],
    });
    expect(only((s) => s.name === `event.emit ${p}.done`, 'emit').attributes).toMatchObject({
      'aos.workflow_instance_id': a.id,
      'aos.step_id': 'announce',
    });
    // B's own run and steps belong to the trace of its start request, not to this one.
    expect(spans.filter((s) => s.temporal_workflow_id === b.temporal_workflow_id).map((s) => s.name)).toEqual([
      'SignalWorkflow:aosEvent',
      'HandleSignal:aosEvent',
    ]);
  });
});

describe('the event dispatcher', () => {
  it('is not one endless trace: each pass is a small trace of its own, its activity span the root', async () => {
    // The passes that delivered the events above (runs with the dispatcher's workflow id are never traced).
    type Row = { trace_id: string; span_id: string; parent_span_id: string | null; name: string };
    const passes = await eventually(async () => {
      const rows = (await h
        .db('observability_service.observability_traces')
        .whereIn('name', ['RunActivity:dispatchPending', 'event.dispatch'])
        .select('trace_id', 'span_id', 'parent_span_id', 'name')) as Row[];
      return rows.filter((r) => r.name === 'event.dispatch').length >= 2 ? rows : undefined;
    });
    const activities = passes.filter((r) => r.name === 'RunActivity:dispatchPending');
    expect(activities.length).toBeGreaterThanOrEqual(2);
    // Roots, one trace each: no RunWorkflow/StartActivity of the dispatcher above them.
    expect(activities.every((r) => r.parent_span_id === null)).toBe(true);
    expect(new Set(activities.map((r) => r.trace_id)).size).toBe(activities.length);
    const byId = new Map(activities.map((r) => [r.span_id, r]));
    for (const pass of passes.filter((r) => r.name === 'event.dispatch' && byId.has(r.parent_span_id ?? '')))
      expect(pass.trace_id).toBe(byId.get(pass.parent_span_id!)!.trace_id);
    const dispatcherRuns = await h
      .db('observability_service.observability_traces')
      .where('temporal_workflow_id', 'like', 'aos-event-dispatcher:%')
      .whereIn('name', ['RunWorkflow:eventDispatcherWorkflow', 'StartActivity:dispatchPending']);
    expect(dispatcherRuns).toEqual([]);
  });
});

describe("a failed step's logs", () => {
  it('are found through the REST logs endpoint by run id and the trace id of the event that started the run', async () => {
    const traceId = hex(16);
    const eventId = `e-${uniq()}`;
    await h.http
      .post('/api/v1/events')
      .set('traceparent', `00-${traceId}-${hex(8)}-01`)
      .send({ eventId, pattern: `${p}.failing`, payload: { key: uniq() } })
      .expect(202);
    const run = await runOfEvent(eventId, ['completed', 'failed']);
    expect(run.status).toBe('failed');
    const query = `workflow_instance_id=${run.id}&trace_id=${traceId}&limit=100`;
    type Line = {
      message: string;
      level: string;
      step_id: string | null;
      trace_id: string;
      workflow_instance_id: string;
    };
    const lines = await eventually(async () => {
      const res = await h.http.get(`/api/v1/observability/logs?${query}`).expect(200);
      const items = res.body.items as Line[];
      return items.some((l) => l.message === 'task attempt failed') && items.some((l) => l.message === 'run failed')
        ? items
        : undefined;
    }, 30_000);
    expect(lines.every((l) => l.trace_id === traceId && l.workflow_instance_id === run.id)).toBe(true);
    expect(lines.filter((l) => l.message === 'task attempt failed')).toEqual([
      expect.objectContaining({ level: 'warn', step_id: 'call' }),
    ]);
    // The problems only, as an operator asks for them.
    const warnings = await h.http.get(`/api/v1/observability/logs?${query}&min_level=warn`).expect(200);
    expect(warnings.body.items.map((l: Line) => l.message)).toContain('task attempt failed');
    expect(warnings.body.items.every((l: Line) => ['warn', 'error', 'fatal'].includes(l.level))).toBe(true);
    // Another trace id finds none of the run's lines.
    const other = await h.http.get(`/api/v1/observability/logs?workflow_instance_id=${run.id}&trace_id=${hex(16)}`);
    expect(other.body.items).toEqual([]);
  });
});

describe('with the telemetry database unreachable', () => {
  it('runs still complete, and the logs, traces and metrics writers count their drops in /metrics', async () => {
    const dropped = async () => {
      const text = (await h.http.get('/metrics').expect(200)).text;
      // Every reason counts (write_failed, write_timeout, queue_full): the database is unreachable.
      const of = (writer: string) => sampleValue(text, 'aos_telemetry_rows_dropped_total', { writer });
      return { logs: of('logs'), traces: of('traces'), metrics: of('metrics') };
    };
    const before = await dropped();
    const broken = createDb({ url: process.env[TEST_ENV.databaseUrl] as string, poolMax: 1 });
    await broken.destroy();
    tracing.startDb(broken);
    logSink.start(broken);
    const rollup = createMetricsRollup({ intervalMs: 60_000, labels: { service: 'aos-test' } });
    rollup.start(broken);
    try {
      const started = await h.http
        .post(`/api/v1/workflow-definitions/${ids.plain}/runs`)
        .send({ input: {} })
        .expect(201);
      const run = await runRow(started.body.id);
      await h.temporal.workflow.getHandle(run.temporal_workflow_id).result();
      await eventually(async () => (await runRow(run.id)).status === 'completed');
      const samples = await rollup.tick();
      expect(samples).toBeGreaterThan(0);
      // Every row offered while the database is unreachable is dropped and counted: the snapshot's exactly.
      const after = await eventually(async () => {
        const now = await dropped();
        return now.logs > before.logs && now.traces > before.traces && now.metrics - before.metrics === samples
          ? now
          : undefined;
      }, 30_000);
      expect(after.metrics - before.metrics).toBe(samples);
      const stored = (table: string) => h.db(`observability_service.${table}`).where({ workflow_instance_id: run.id });
      expect(await stored('observability_traces')).toEqual([]);
      expect(await stored('observability_logs')).toEqual([]);
    } finally {
      tracing.startDb(h.db);
      logSink.start(h.db);
      await rollup.close(100);
    }
  });
});
