/**
 * Issue #13 item 4, the rollup: after one tick observability_metrics holds the registry's series with their
 * values, and `GET /api/v1/observability/metrics?name=` returns them.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { eventsIngested } from '../../services/observability/metrics';
import { createMetricsRollup } from '../../services/observability/metrics-rollup';
import { createTestApi, type TestApi } from '../helpers/api';
import { createTestCaller, type TestCaller } from '../helpers/auth';

jest.setTimeout(60_000);

let api: TestApi;
let admin: TestCaller;
beforeAll(async () => {
  api = await createTestApi();
  admin = await createTestCaller(api.deps, ['*'], 'rollup-admin');
});
afterAll(() => api?.close());

it('a tick writes every series with its value, readable through the API by name', async () => {
  const tag = randomBytes(4).toString('hex');
  const reg = new Registry();
  const runs = new Counter({
    name: `aos_rollup_${tag}_runs_total`,
    help: 'h',
    labelNames: ['definition'],
    registers: [reg],
  });
  runs.inc({ definition: 'a' }, 3);
  runs.inc({ definition: 'b' }, 1);
  new Gauge({ name: `aos_rollup_${tag}_backlog`, help: 'h', registers: [reg] }).set(42);
  const h = new Histogram({ name: `aos_rollup_${tag}_seconds`, help: 'h', buckets: [1], registers: [reg] });
  h.observe(0.25);
  h.observe(0.5);

  const rollup = createMetricsRollup({ intervalMs: 60_000, registry: reg, labels: { service: 'rollup-test' } });
  rollup.start(api.deps.db);
  expect(await rollup.tick()).toBe(5);
  await rollup.close(5000);
  expect(rollup.stats()).toMatchObject({ written: 10, dropped: { write_failed: 0, write_timeout: 0 } });

  const rows = await api.deps
    .db('observability_service.observability_metrics')
    .where('name', 'like', `aos_rollup_${tag}%`)
    .orderBy(['name', 'recorded_at']);
  // Two snapshots (the tick and close's last one), five samples each.
  expect(rows).toHaveLength(10);
  const last = (name: string, definition?: string) =>
    rows.filter((r) => r.name === name && r.labels.definition === definition).at(-1);
  expect(last(`aos_rollup_${tag}_runs_total`, 'a')).toMatchObject({
    type: 'counter',
    value: 3,
    labels: { service: 'rollup-test', definition: 'a' },
  });
  expect(last(`aos_rollup_${tag}_runs_total`, 'b')?.value).toBe(1);
  expect(last(`aos_rollup_${tag}_backlog`)).toMatchObject({ type: 'gauge', value: 42, unit: null });
  expect(last(`aos_rollup_${tag}_seconds_sum`)).toMatchObject({ type: 'histogram', value: 0.75, unit: 'seconds' });
  expect(last(`aos_rollup_${tag}_seconds_count`)).toMatchObject({ type: 'histogram', value: 2 });

  const res = await request(api.app)
    .get(`/api/v1/observability/metrics?name=aos_rollup_${tag}_runs_total&limit=100`)
    .set(admin.bearer)
    .expect(200);
  const items = res.body.items as Array<Record<string, unknown>>;
  expect(items).toHaveLength(4);
  expect(items.every((m) => m.name === `aos_rollup_${tag}_runs_total` && m.type === 'counter')).toBe(true);
  expect(
    items
      .map((m) => `${(m.labels as Record<string, string>).definition}=${m.value}`)
      .sort()
      .slice(0, 4),
  ).toEqual(['a=3', 'a=3', 'b=1', 'b=1']);
});

it("the platform registry's counters are rolled up with their current values, default process metrics not", async () => {
  const service = `rollup-${randomBytes(4).toString('hex')}`;
  eventsIngested.inc(2);
  const expected = (await eventsIngested.get()).values[0].value;
  const rollup = createMetricsRollup({ intervalMs: 60_000, labels: { service } });
  rollup.start(api.deps.db);
  await rollup.tick();
  await rollup.close(5000);
  const rows = await api.deps
    .db('observability_service.observability_metrics')
    .whereRaw(`labels->>'service' = ?`, [service]);
  expect(rows.find((r) => r.name === 'aos_events_ingested_total')).toMatchObject({ type: 'counter', value: expected });
  expect(rows.some((r) => /^aos_(process|nodejs)_/.test(r.name))).toBe(false);
});
