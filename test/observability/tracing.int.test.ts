/**
 * Traces end to end on a real worker, API, Temporal and PostgreSQL: a run's spans land in observability_traces as
 * one tree (RunWorkflow -> step -> StartActivity -> RunActivity) with the run's instance id; an API request that
 * sends a `traceparent` gets a SERVER span that is its child and whose context the handler sees; a pino line
 * logged inside a span carries its ids; and when the traces writes fail, runs still complete and the drops count.
 */
import { Type } from '@sinclair/typebox';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { defineRoute } from '../../api/http/route';
import { createLogger } from '../../common/logger';
import { installTemporalRuntime } from '../../common/temporal-logging';
import { createLogSink, type LogSink } from '../../services/observability/log-sink';
import { activeTraceIds, tracer } from '../../common/telemetry';
import { createDb } from '../../db/connection';
import { registry } from '../../services/observability/metrics';
import type { ProcessTracing } from '../../services/observability/tracing';
import { setupTestTracing } from '../helpers/tracing';
import { startRun, type StartRunResult } from '../../services/runs';
import { createTestApi, type TestApi } from '../helpers/api';
import { activeTask, activeWorkflow, eventually, startRunHarness, type RunHarness } from '../engine-runs/harness';
import { TEST_ENV } from '../harness-state';

jest.setTimeout(60_000);
const sfx = randomBytes(3).toString('hex');
let tracing: ProcessTracing;
let harness: RunHarness;
let api: TestApi;
let logSink: LogSink;

type SpanRow = {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  status: string;
  service: string;
  workflow_instance_id: string | null;
  temporal_workflow_id: string | null;
  attributes: Record<string, unknown>;
  events: Array<{ name: string }>;
};

/** Probe routes: their handlers answer the trace ids active while they run (Express path and fast path). */
const probeRoutes = [
  defineRoute({
    method: 'post',
    path: '/trace-probe/:name',
    operationId: 'traceProbe',
    summary: 'probe',
    tags: ['test'],
    permission: 'public',
    params: Type.Object({ name: Type.String() }),
    body: Type.Object({ x: Type.Number() }),
    responses: { 200: { description: 'ids' } },
    handler: async () => ({ body: { ids: activeTraceIds() ?? null } }),
  }),
  defineRoute({
    method: 'post',
    path: '/trace-fast',
    operationId: 'traceFast',
    summary: 'probe',
    tags: ['test'],
    permission: 'public',
    fast: true,
    body: Type.Object({ x: Type.Number() }),
    responses: { 200: { description: 'ids' } },
    handler: async () => ({ body: { ids: activeTraceIds() ?? null } }),
  }),
];

beforeAll(async () => {
  tracing = setupTestTracing();
  // Before the first NativeConnection: workflow and activity log lines go to observability_logs.
  logSink = createLogSink({ level: 'info', intervalMs: 50 });
  installTemporalRuntime(createLogger({ level: 'silent', name: 'aos-test', sinks: [logSink.destination] }));
  harness = await startRunHarness();
  tracing.startDb(harness.db);
  logSink.start(harness.db);
  api = await createTestApi({ routes: probeRoutes });
  await activeTask(harness.db, { task_id: `tr-sum-${sfx}`, type: 'code', config: { handler: 'sum' } });
  await activeWorkflow(harness.db, {
    workflow_id: `tr-flow-${sfx}`,
    steps: [{ id: 'add', type: 'task', task: `tr-sum-${sfx}`, input: { values: [1, 2] } }],
  } as never);
  await activeWorkflow(harness.db, {
    workflow_id: `tr-parent-${sfx}`,
    steps: [{ id: 'call', type: 'sub_workflow', workflow: `tr-flow-${sfx}` }],
  } as never);
  await activeTask(harness.db, { task_id: `tr-fail-${sfx}`, type: 'code', config: { handler: 'fail' } });
  await activeWorkflow(harness.db, {
    workflow_id: `tr-caught-${sfx}`,
    steps: [
      {
        id: 'boom',
        type: 'task',
        task: `tr-fail-${sfx}`,
        input: { type: 'Boom', message: 'no luck' },
        catch: [{ errors: ['Boom'], next: 'done' }],
      },
      { id: 'done', type: 'succeed' },
    ],
  } as never);
});
afterAll(async () => {
  await api?.close();
  await harness?.close();
  await tracing?.shutdown(2000);
  await logSink?.close(2000);
});

const traces = (db: Knex) => db<SpanRow>('observability_service.observability_traces');

async function runToCompletion(workflowId: string): Promise<StartRunResult> {
  const run = (await startRun(harness.deps, { workflowId, input: {} })) as StartRunResult;
  await harness.client.workflow.getHandle(run.workflowId).result();
  return run;
}

it('a run writes its span tree, RunWorkflow -> step -> StartActivity -> RunActivity, keyed by the run', async () => {
  const run = await runToCompletion(`tr-flow-${sfx}`);
  const rows = await eventually(async () => {
    const r = await traces(harness.db).where({ workflow_instance_id: run.instanceId });
    return r.some((s) => s.name === 'RunActivity:runTask') && r.some((s) => s.name.startsWith('RunWorkflow'))
      ? r
      : undefined;
  });
  const one = (name: string) => {
    const found = rows.filter((s) => s.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const workflow = one('RunWorkflow:interpreterWorkflow');
  const step = one('step add');
  const start = one('StartActivity:runTask');
  const attempt = one('RunActivity:runTask');
  expect(new Set(rows.map((s) => s.trace_id))).toEqual(new Set([workflow.trace_id]));
  expect(step.parent_span_id).toBe(workflow.span_id);
  expect(start.parent_span_id).toBe(step.span_id);
  expect(attempt.parent_span_id).toBe(start.span_id);
  expect(step).toMatchObject({
    kind: 'internal',
    service: 'aos-test',
    temporal_workflow_id: run.workflowId,
    attributes: expect.objectContaining({ 'aos.step_id': 'add', 'aos.step_type': 'task' }),
  });
  expect(attempt.attributes).toMatchObject({ 'aos.task_type': 'code', 'aos.attempt': 1, 'aos.step_id': 'add' });
  expect(rows.every((s) => s.status !== 'error')).toBe(true);
});

it("a sub_workflow step's child run hangs under the step, in the parent's trace", async () => {
  const run = await runToCompletion(`tr-parent-${sfx}`);
  const parentRows = await eventually(async () => {
    const r = await traces(harness.db).where({ workflow_instance_id: run.instanceId });
    return r.some((s) => s.name === 'RunWorkflow:interpreterWorkflow') ? r : undefined;
  });
  const step = parentRows.find((s) => s.name === 'step call');
  const start = parentRows.find((s) => s.name === 'StartChildWorkflow:interpreterWorkflow');
  expect(start?.parent_span_id).toBe(step?.span_id);
  const trace = await eventually(async () => {
    const r = await traces(harness.db).where({ trace_id: step?.trace_id });
    return r.some((s) => s.name === 'RunActivity:runTask') ? r : undefined;
  });
  const childRun = trace.find(
    (s) => s.name === 'RunWorkflow:interpreterWorkflow' && s.parent_span_id === start?.span_id,
  );
  expect(childRun?.workflow_instance_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(childRun?.workflow_instance_id).not.toBe(run.instanceId);
  const childStep = trace.find((s) => s.name === 'step add');
  expect(childStep?.parent_span_id).toBe(childRun?.span_id);
  expect(childStep?.workflow_instance_id).toBe(childRun?.workflow_instance_id);
});

it("a failed step's span has an error status, and the run's log lines carry the run's trace id", async () => {
  const run = await runToCompletion(`tr-caught-${sfx}`);
  const rows = await eventually(async () => {
    const r = await traces(harness.db).where({ workflow_instance_id: run.instanceId });
    return r.some((s) => s.name === 'RunWorkflow:interpreterWorkflow') ? r : undefined;
  });
  const step = rows.find((s) => s.name === 'step boom');
  expect(step).toMatchObject({
    status: 'error',
    attributes: expect.objectContaining({ 'status.message': 'no luck', 'aos.error_type': 'Boom' }),
  });
  expect(rows.find((s) => s.name === 'RunActivity:runTask')).toMatchObject({
    status: 'error',
    attributes: expect.objectContaining({ 'aos.error_type': 'Boom' }),
  });
  expect(rows.find((s) => s.name === 'step done')?.status).toBe('unset');
  const traceId = rows[0].trace_id;
  const logs = (db: Knex) =>
    db('observability_service.observability_logs').where({ workflow_instance_id: run.instanceId });
  const lines = await eventually(async () => {
    const l = (await logs(harness.db)) as Array<{ message: string; trace_id: string | null }>;
    return l.some((x) => x.message === 'step failed, caught') ? l : undefined;
  });
  // Written through Temporal's replay-aware workflow logger, trace ids added by the workflow interceptor.
  expect(lines.find((x) => x.message === 'step failed, caught')?.trace_id).toBe(traceId);
});

it('an API request with a traceparent gets a SERVER span, its child, active while the handler runs', async () => {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  for (const path of ['/api/v1/trace-probe/one', '/api/v1/trace-fast']) {
    const res = await request(api.app).post(path).set('traceparent', `00-${traceId}-${parentId}-01`).send({ x: 1 });
    expect(res.status).toBe(200);
    // The handler ran in the request's span: its trace, a span of its own (body parsing did not lose it).
    expect(res.body.ids.traceId).toBe(traceId);
    const requestId = res.headers['x-request-id'];
    const span = await eventually(() => traces(harness.db).where({ span_id: res.body.ids.spanId }).first());
    expect(span).toMatchObject({
      trace_id: traceId,
      parent_span_id: parentId,
      kind: 'server',
      name: path === '/api/v1/trace-fast' ? 'POST /api/v1/trace-fast' : 'POST /api/v1/trace-probe/:name',
      attributes: expect.objectContaining({ 'http.response.status_code': 200, 'aos.request_id': requestId }),
    });
  }
});

/** POSTs `{"x":1}` in two writes, the second after the headers are out: the body arrives in later packets. */
async function postInTwoParts(
  server: Server,
  path: string,
  traceparent: string,
): Promise<{ ids: { traceId: string } }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        path,
        method: 'POST',
        headers: { traceparent, 'content-type': 'application/json', 'content-length': 7 },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += String(c)));
        res.on('end', () => resolve(JSON.parse(text) as { ids: { traceId: string } }));
      },
    );
    req.on('error', reject);
    req.write('{"x":');
    req.flushHeaders();
    setTimeout(() => req.end('1}'), 50);
  });
}

it('a request whose body arrives after its headers keeps its trace context while the body is parsed', async () => {
  const server = createServer(api.app).listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    for (const path of ['/api/v1/trace-probe/two', '/api/v1/trace-fast']) {
      const traceId = randomBytes(16).toString('hex');
      const body = await postInTwoParts(server, path, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      expect(body.ids?.traceId).toBe(traceId);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

it('a pino line logged inside a span carries its trace and span ids', () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'silent', sinks: [{ level: 'info', stream: { write: (l) => lines.push(l) } }] });
  const ids = tracer().startActiveSpan('probe', (span) => {
    logger.info('inside');
    span.end();
    return span.spanContext();
  });
  logger.info('outside');
  const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(inside).toMatchObject({ msg: 'inside', traceId: ids.traceId, spanId: ids.spanId });
  expect(outside.msg).toBe('outside');
  expect(outside).not.toHaveProperty('traceId');
});

it('with the traces writes failing, runs still complete and the traces writer counts the drops', async () => {
  const broken = createDb({ url: process.env[TEST_ENV.databaseUrl] as string, poolMax: 1 });
  await broken.destroy();
  tracing.startDb(broken);
  const before = tracing.stats()?.dropped.write_failed ?? 0;
  const run = await runToCompletion(`tr-flow-${sfx}`);
  const dropped = await eventually(async () => {
    const n = tracing.stats()?.dropped.write_failed ?? 0;
    return n > before ? n : undefined;
  });
  const metrics = await registry.getSingleMetricAsString('aos_telemetry_rows_dropped_total');
  const line = metrics.split('\n').find((l) => l.includes('writer="traces"') && l.includes('reason="write_failed"'));
  expect(Number(line?.split(' ').pop())).toBeGreaterThanOrEqual(dropped);
  expect(await traces(harness.db).where({ workflow_instance_id: run.instanceId })).toEqual([]);
  tracing.startDb(harness.db);
});
