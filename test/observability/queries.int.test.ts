/**
 * The observability queries over seeded telemetry of one run: logs by run, trace, step, request, level (exact and
 * minimum), time range and text (with `%` and `_` taken literally), paged newest first; the run's trace as a span
 * tree (children by start, an orphan flagged as a root, totals); metric series by name, labels and time range,
 * raw or bucketed; and the run's timeline (each step execution linked to its spans). Bad parameters answer 400
 * naming the parameter; unknown ids 404; the permissions are enforced.
 */
import request from 'supertest';
import { createRunRow } from '../helpers/human-tasks';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';
import { seedRunTelemetry, someUuid, type SeededRun } from '../helpers/observability-seed';
import { uniqueTaskQueue } from '../helpers/temporal';

let api: TestApi;
let reader: TestCaller;
let runReader: TestCaller;
let run: SeededRun;
let other: SeededRun;
// A whole minute (for the 60 s buckets) shortly before the runs are created (spans are looked for around the run).
const t0 = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
const metric = `aos_test_${someUuid().slice(0, 8)}_total`;

beforeAll(async () => {
  api = await createTestApi({ config: { TASK_QUEUE: uniqueTaskQueue('obsq') } });
  reader = await createTestCaller(api.deps, ['observability:read'], 'obs-reader');
  runReader = await createTestCaller(api.deps, ['workflow_instances:read'], 'run-reader');
  const a = await createRunRow(api.deps.db);
  run = await seedRunTelemetry(api.deps.db, a.instanceId, `${a.workflowId}:${a.instanceId}`, t0);
  const b = await createRunRow(api.deps.db);
  other = await seedRunTelemetry(api.deps.db, b.instanceId, `${b.workflowId}:${b.instanceId}`, t0);
  const sample = (sec: number, value: number, labels: object) => ({
    name: metric,
    type: 'counter',
    value,
    labels: JSON.stringify(labels),
    recorded_at: new Date(t0.getTime() + sec * 1000),
  });
  await api.deps
    .db('observability_service.observability_metrics')
    .insert([
      sample(0, 1, { definition: 'a', status: 'ok' }),
      sample(30, 3, { definition: 'a', status: 'ok' }),
      sample(70, 6, { definition: 'a', status: 'ok' }),
      sample(10, 10, { definition: 'b', status: 'ok' }),
      sample(80, 20, { definition: 'b', status: 'ok' }),
      sample(20, 7, { definition: 'b', status: 'failed' }),
      { ...sample(5, 99, { definition: 'a', status: 'ok' }), name: `${metric}_other` },
    ]);
});
afterAll(async () => api?.close());

const get = (url: string, caller: TestCaller = reader) => request(api.app).get(`/api/v1${url}`).set(caller.bearer);
type Row = Record<string, unknown>;
const messages = (res: request.Response) => (res.body.items as Row[]).map((l) => l.message);
const logs = (q: string) => get(`/observability/logs?workflow_instance_id=${run.instanceId}&limit=200&${q}`);

describe('GET /observability/logs', () => {
  it("answers a run's lines newest first, and no other run's", async () => {
    const res = await logs('');
    expect(res.status).toBe(200);
    expect(messages(res)).toEqual([
      'run failed',
      'step notify failed',
      'charged orderXid 43',
      'charged order_id 42',
      'task attempt failed: card declined',
      'validated 1000 items',
      'Validated 100% of the order lines',
      'Interpreting step validate',
      'run started',
    ]);
    expect((res.body.items as Row[]).every((l) => l.workflow_instance_id === run.instanceId)).toBe(true);
  });

  it('keeps a minimum level with min_level, and exactly the listed levels with level', async () => {
    expect(messages(await logs('min_level=warn'))).toEqual([
      'run failed',
      'step notify failed',
      'task attempt failed: card declined',
    ]);
    expect(messages(await logs('level=warn'))).toEqual(['task attempt failed: card declined']);
    expect(messages(await logs('level=debug,fatal'))).toEqual(['run failed', 'Interpreting step validate']);
    // Both: the listed levels at or above the minimum.
    expect(messages(await logs('level=debug,fatal&min_level=info'))).toEqual(['run failed']);
    expect(messages(await logs('level=debug&min_level=warn'))).toEqual([]);
  });

  it('filters by time range: from inclusive, to exclusive', async () => {
    const at = (ms: number) => new Date(t0.getTime() + ms).toISOString();
    expect(messages(await logs(`from=${at(1100)}&to=${at(3100)}`))).toEqual([
      'charged orderXid 43',
      'charged order_id 42',
      'task attempt failed: card declined',
    ]);
    // created_after/created_before still apply to the timestamp; the narrower bound wins.
    expect(messages(await logs(`created_after=${at(2700)}&to=${at(3100)}`))).toEqual([
      'charged orderXid 43',
      'charged order_id 42',
    ]);
  });

  it('searches the message case-insensitively, with % and _ matching only themselves', async () => {
    expect(messages(await logs(`q=${encodeURIComponent('VALIDATED 100')}`))).toEqual([
      'validated 1000 items',
      'Validated 100% of the order lines',
    ]);
    expect(messages(await logs(`q=${encodeURIComponent('100%')}`))).toEqual(['Validated 100% of the order lines']);
    expect(messages(await logs(`q=${encodeURIComponent('order_id')}`))).toEqual(['charged order_id 42']);
    expect(messages(await logs(`q=${encodeURIComponent('%')}`))).toEqual(['Validated 100% of the order lines']);
    expect(messages(await logs(`q=${encodeURIComponent('\\')}`))).toEqual([]);
  });

  it('filters by trace, step, span-less request and Temporal workflow id', async () => {
    const byTrace = await get(`/observability/logs?trace_id=${other.traceId}&limit=200`);
    expect(byTrace.body.items).toHaveLength(9);
    expect((byTrace.body.items as Row[]).every((l) => l.workflow_instance_id === other.instanceId)).toBe(true);
    expect(messages(await logs('step_id=charge'))).toEqual([
      'charged orderXid 43',
      'charged order_id 42',
      'task attempt failed: card declined',
    ]);
    expect(messages(await get(`/observability/logs?request_id=${run.requestId}`))).toEqual(['run started']);
    const byWf = await get(`/observability/logs?workflow_id=${encodeURIComponent(run.temporalWorkflowId)}&level=error`);
    expect(messages(byWf)).toEqual(['step notify failed']);
  });

  it('pages newest first with a cursor, without repeats or gaps', async () => {
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/observability/logs?workflow_instance_id=${run.instanceId}&limit=4`;
      const res: request.Response = await get(`${url}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...messages(res));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(messages(await logs('')));
  });

  it.each([
    ['level=loud', '/query/level'],
    ['level=warn,', '/query/level'],
    ['min_level=loud', '/query/min_level'],
    ['from=yesterday', '/query/from'],
    ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', '/query/to'],
    ['level=warn&level=error', '/query/level'],
    ['workflow_instance_id=not-a-uuid', '/query/workflow_instance_id'],
    ['cursor=garbage', '/query/cursor'],
    [`q=${'x'.repeat(201)}`, '/query/q'],
    ['bogus=1', '/query'],
  ])('refuses %s with a 400 naming the parameter', async (q, pointer) => {
    const res = await get(`/observability/logs?${q}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(res.body.errors)).toContain(pointer);
  });
});

describe('GET /observability/traces/{id}', () => {
  it('answers the trace as a tree: children by start, the orphan a flagged root, totals', async () => {
    const res = await get(`/observability/traces/${run.traceId}`);
    expect(res.status).toBe(200);
    const tree = res.body as { trace_id: string; roots: Row[]; totals: Row; truncated: boolean };
    type Node = { name: string; span_id: string; orphan: boolean; children: Node[] };
    const shape = (n: Node): unknown => [n.name, n.orphan, n.children.map(shape)];
    expect(tree.trace_id).toBe(run.traceId);
    expect((tree.roots as unknown as Node[]).map(shape)).toEqual([
      [
        'RunWorkflow:interpreterWorkflow',
        false,
        [
          ['step validate', false, [['RunActivity:runTask', false, []]]],
          ['step route', false, []],
          [
            'step charge',
            false,
            [
              ['RunActivity:runTask', false, []],
              ['RunActivity:runTask', false, []],
            ],
          ],
          ['step notify', false, []],
        ],
      ],
      ['emit order.charged', true, []],
    ]);
    const charge = (tree.roots[0] as unknown as Node).children[2]!;
    expect(charge.children.map((c) => c.span_id)).toEqual([run.spans.charge1, run.spans.charge2]);
    expect(tree.roots[1]).toMatchObject({ parent_span_id: run.missingParent, orphan: true });
    expect(tree.totals).toEqual({
      span_count: 9,
      started_at: t0.toISOString(),
      ended_at: new Date(t0.getTime() + 3200).toISOString(),
      duration_ms: 3200,
      services: ['aos-events', 'aos-worker'],
      error_count: 2,
    });
    expect(tree.truncated).toBe(false);
  });

  it('takes the trace id in upper case too', async () => {
    const res = await get(`/observability/traces/${run.traceId.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.trace_id).toBe(run.traceId);
  });

  it('still answers one span by its row id', async () => {
    const row = await api.deps
      .db('observability_service.observability_traces')
      .where({ trace_id: run.traceId, span_id: run.spans.notify })
      .first();
    const res = await get(`/observability/traces/${row.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: row.id, name: 'step notify', status: 'error' });
    expect(res.body.children).toBeUndefined();
  });

  it('answers 404 for a trace without spans and 400 for a malformed id', async () => {
    const missing = await get(`/observability/traces/${'0'.repeat(31)}1`);
    expect(missing.status).toBe(404);
    expect((await get(`/observability/traces/${someUuid()}`)).status).toBe(404);
    for (const bad of ['xyz', 'g'.repeat(32), '0'.repeat(33)]) {
      const res = await get(`/observability/traces/${bad}`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.errors)).toContain('/params/id');
    }
  });
});

describe('GET /observability/metrics/series', () => {
  const series = (q: string) => get(`/observability/metrics/series?name=${metric}&${q}`);
  const flat = (res: request.Response) =>
    (res.body.series as Array<{ labels: Row; points: Array<{ at: string; value: number }> }>).map((s) => [
      s.labels,
      s.points.map((p) => [(Date.parse(p.at) - t0.getTime()) / 1000, p.value]),
    ]);

  it('answers one series per label set, points oldest first', async () => {
    const res = await series('');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: metric, step_seconds: null, aggregate: null, truncated: false });
    expect(flat(res)).toEqual([
      [
        { definition: 'a', status: 'ok' },
        [
          [0, 1],
          [30, 3],
          [70, 6],
        ],
      ],
      [
        { definition: 'b', status: 'ok' },
        [
          [10, 10],
          [80, 20],
        ],
      ],
      [{ definition: 'b', status: 'failed' }, [[20, 7]]],
    ]);
  });

  it('filters by labels and time range', async () => {
    const labels = encodeURIComponent(JSON.stringify({ definition: 'b' }));
    expect(flat(await series(`labels=${labels}`))).toEqual([
      [
        { definition: 'b', status: 'ok' },
        [
          [10, 10],
          [80, 20],
        ],
      ],
      [{ definition: 'b', status: 'failed' }, [[20, 7]]],
    ]);
    const from = new Date(t0.getTime() + 20_000).toISOString();
    const to = new Date(t0.getTime() + 80_000).toISOString();
    expect(flat(await series(`from=${from}&to=${to}&labels=${encodeURIComponent('{"status":"ok"}')}`))).toEqual([
      [
        { definition: 'a', status: 'ok' },
        [
          [30, 3],
          [70, 6],
        ],
      ],
    ]);
  });

  it('aggregates into epoch-aligned buckets with step and agg', async () => {
    const labels = encodeURIComponent('{"definition":"a"}');
    const res = await series(`labels=${labels}&step=60&agg=sum`);
    expect(res.body).toMatchObject({ step_seconds: 60, aggregate: 'sum' });
    expect(flat(res)).toEqual([
      [
        { definition: 'a', status: 'ok' },
        [
          [0, 4],
          [60, 6],
        ],
      ],
    ]);
    expect(flat(await series(`labels=${labels}&step=60`))).toEqual([
      [
        { definition: 'a', status: 'ok' },
        [
          [0, 2],
          [60, 6],
        ],
      ],
    ]);
    expect(flat(await series(`labels=${labels}&step=60&agg=last`))).toEqual([
      [
        { definition: 'a', status: 'ok' },
        [
          [0, 3],
          [60, 6],
        ],
      ],
    ]);
  });

  it('says when the limit cut the answer', async () => {
    const res = await series('limit=2');
    expect(res.body.truncated).toBe(true);
    expect(flat(res)).toEqual([
      [{ definition: 'a', status: 'ok' }, [[0, 1]]],
      [{ definition: 'b', status: 'ok' }, [[10, 10]]],
    ]);
  });

  it('answers no series for an unknown metric', async () => {
    const res = await get('/observability/metrics/series?name=no_such_metric');
    expect(res.status).toBe(200);
    expect(res.body.series).toEqual([]);
  });

  it.each([
    ['', '/query'],
    [`name=${metric}&labels=notjson`, '/query/labels'],
    [`name=${metric}&labels=${encodeURIComponent('["a"]')}`, '/query/labels'],
    [`name=${metric}&labels=${encodeURIComponent('{"a":{"b":1}}')}`, '/query/labels'],
    [`name=${metric}&agg=sum`, '/query/agg'],
    [`name=${metric}&step=0`, '/query/step'],
    [`name=${metric}&agg=median&step=60`, '/query/agg'],
    [`name=${metric}&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`, '/query/to'],
  ])('refuses %s with a 400 naming the parameter', async (q, pointer) => {
    const res = await get(`/observability/metrics/series?${q}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors ?? res.body)).toContain(pointer);
  });
});

describe('GET /workflow-instances/{id}/timeline', () => {
  it("answers the run's step executions in start order, each linked to its spans, and the run's trace", async () => {
    const res = await get(`/workflow-instances/${run.instanceId}/timeline`, runReader);
    expect(res.status).toBe(200);
    const body = res.body as { run: Row; steps: Row[]; spans: Row[]; trace_ids: string[]; truncated: boolean };
    expect(body.run).toMatchObject({ id: run.instanceId, workflow_id: run.temporalWorkflowId });
    // The choice step `route` has no execution row: its span stands for it.
    expect(body.steps.map((s) => [s.step_id, s.source, s.step_type, s.status, s.attempt, s.duration_ms])).toEqual([
      ['validate', 'task_instances', 'task', 'completed', 1, 500],
      ['route', 'span', 'choice', 'completed', 1, 30],
      ['charge', 'task_instances', 'task', 'completed', 2, 2100],
      ['notify', 'task_instances', 'task', 'failed', 1, 250],
    ]);
    expect(body.steps[1]!.id).toBeNull();
    expect(body.steps.map((s) => s.span_ids)).toEqual([
      [run.spans.validate, run.spans.validateAttempt],
      [run.spans.route],
      [run.spans.charge, run.spans.charge1, run.spans.charge2],
      [run.spans.notify],
    ]);
    expect(body.spans).toHaveLength(9);
    expect(body.spans.map((s) => s.started_at)).toEqual([...body.spans.map((s) => s.started_at)].sort());
    expect(new Set(body.spans.map((s) => s.workflow_instance_id))).toEqual(new Set([run.instanceId]));
    expect(body.trace_ids).toEqual([run.traceId]);
    expect(body.truncated).toBe(false);
  });

  it('finds spans that carry only the Temporal workflow id', async () => {
    const bare = await createRunRow(api.deps.db);
    const wf = `${bare.workflowId}:${bare.instanceId}`;
    await api.deps.db('observability_service.observability_traces').insert({
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      name: 'RunWorkflow:interpreterWorkflow',
      started_at: new Date(),
      temporal_workflow_id: wf,
    });
    const res = await get(`/workflow-instances/${bare.instanceId}/timeline`, runReader);
    expect(res.status).toBe(200);
    expect(res.body.steps).toEqual([]);
    expect(res.body.spans.map((s: Row) => s.span_id)).toEqual(['b'.repeat(16)]);
    expect(res.body.trace_ids).toEqual(['a'.repeat(32)]);
  });

  it('answers 404 for an unknown run and 400 for a malformed id', async () => {
    expect((await get(`/workflow-instances/${someUuid()}/timeline`, runReader)).status).toBe(404);
    expect((await get('/workflow-instances/nope/timeline', runReader)).status).toBe(400);
  });
});

describe('permissions', () => {
  it('needs observability:read for logs, traces and series, workflow_instances:read for the timeline', async () => {
    expect((await get('/observability/logs', runReader)).status).toBe(403);
    expect((await get(`/observability/traces/${run.traceId}`, runReader)).status).toBe(403);
    expect((await get(`/observability/metrics/series?name=${metric}`, runReader)).status).toBe(403);
    expect((await get(`/workflow-instances/${run.instanceId}/timeline`, reader)).status).toBe(403);
    expect((await request(api.app).get(`/api/v1/observability/traces/${run.traceId}`)).status).toBe(401);
    expect((await request(api.app).get(`/api/v1/workflow-instances/${run.instanceId}/timeline`)).status).toBe(401);
  });
});
