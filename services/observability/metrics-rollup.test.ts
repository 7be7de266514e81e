import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import { createMetricsRollup, metricsToRows, unitOf } from './metrics-rollup';
import { registry as platformRegistry } from './metrics';

function knownRegistry(): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg, prefix: 'aos_' });
  const runs = new Counter({ name: 'aos_t_runs_total', help: 'h', labelNames: ['definition'], registers: [reg] });
  runs.inc({ definition: 'a' }, 3);
  runs.inc({ definition: 'b' });
  new Gauge({ name: 'aos_t_backlog', help: 'h', registers: [reg] }).set(7);
  const h = new Histogram({ name: 'aos_t_duration_seconds', help: 'h', buckets: [1, 5], registers: [reg] });
  h.observe(0.5);
  h.observe(2);
  const s = new Summary({ name: 'aos_t_size_bytes', help: 'h', percentiles: [0.5], registers: [reg] });
  s.observe(10);
  return reg;
}

describe('metricsToRows', () => {
  it('maps counters, gauges, histogram count/sum and summaries; skips buckets and default process metrics', async () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const rows = metricsToRows(await knownRegistry().getMetricsAsJSON(), at, { labels: { service: 'aos-test' } });
    const key = (r: (typeof rows)[number]) => `${r.name}${JSON.stringify(r.labels)}`;
    expect(rows.map(key).sort()).toEqual(
      [
        'aos_t_runs_total{"service":"aos-test","definition":"a"}',
        'aos_t_runs_total{"service":"aos-test","definition":"b"}',
        'aos_t_backlog{"service":"aos-test"}',
        'aos_t_duration_seconds_sum{"service":"aos-test"}',
        'aos_t_duration_seconds_count{"service":"aos-test"}',
        'aos_t_size_bytes{"service":"aos-test","quantile":0.5}',
        'aos_t_size_bytes_sum{"service":"aos-test"}',
        'aos_t_size_bytes_count{"service":"aos-test"}',
      ].sort(),
    );
    const by = (name: string, label?: string) =>
      rows.find((r) => r.name === name && (label === undefined || r.labels.definition === label));
    expect(by('aos_t_runs_total', 'a')).toEqual({
      name: 'aos_t_runs_total',
      type: 'counter',
      value: 3,
      unit: null,
      labels: { service: 'aos-test', definition: 'a' },
      recorded_at: '2026-01-02T03:04:05.000Z',
    });
    expect(by('aos_t_runs_total', 'b')?.value).toBe(1);
    expect(by('aos_t_backlog')).toMatchObject({ type: 'gauge', value: 7 });
    expect(by('aos_t_duration_seconds_sum')).toMatchObject({ type: 'histogram', value: 2.5, unit: 'seconds' });
    expect(by('aos_t_duration_seconds_count')).toMatchObject({ type: 'histogram', value: 2, unit: null });
    expect(by('aos_t_size_bytes')).toMatchObject({ type: 'summary', value: 10, unit: 'bytes' });
  });

  it('knows units from names', () => {
    expect(unitOf('aos_run_duration_seconds')).toBe('seconds');
    expect(unitOf('x_bytes_total')).toBe('bytes');
    expect(unitOf('aos_runs_started_total')).toBeNull();
  });
});

describe('createMetricsRollup', () => {
  it('offers one row per sample each tick, writes them once started, and flushes on close', async () => {
    const written: unknown[][] = [];
    const reg = new Registry();
    new Counter({ name: 'c_total', help: 'h', registers: [reg] }).inc(5);
    const rollup = createMetricsRollup({ intervalMs: 60_000, registry: reg });
    expect(await rollup.tick()).toBe(1);
    // No database yet: the rows wait in the bounded queue.
    expect(rollup.stats()).toMatchObject({ name: 'metrics', offered: 1, queued: 1, written: 0 });
    const db = { raw: jest.fn(async (_sql: string, [json]: [string]) => written.push(JSON.parse(json))) };
    rollup.start(db as never);
    await rollup.close(1000); // a last snapshot, then the flush
    expect(written.flat()).toHaveLength(2);
    expect(written.flat()[0]).toMatchObject({ name: 'c_total', type: 'counter', value: 5, labels: {} });
    expect(rollup.stats()).toMatchObject({ offered: 2, written: 2 });
    expect(await rollup.tick()).toBe(0);
  });

  it('never throws when a collect fails', async () => {
    const reg = new Registry();
    new Gauge({
      name: 'bad',
      help: 'h',
      registers: [reg],
      collect() {
        throw new Error('boom');
      },
    });
    const rollup = createMetricsRollup({ intervalMs: 60_000, registry: reg });
    await expect(rollup.tick()).resolves.toBe(0);
    await rollup.close(100);
  });
});

describe('drops', () => {
  it('a failing database drops the rows and counts them under writer="metrics"', async () => {
    const reg = new Registry();
    new Counter({ name: 'c_total', help: 'h', registers: [reg] }).inc();
    const rollup = createMetricsRollup({ intervalMs: 60_000, registry: reg });
    rollup.start({ raw: () => Promise.reject(new Error('down')) } as never);
    await rollup.tick();
    const json = await platformRegistry.getMetricsAsJSON();
    await rollup.close(500);
    expect(rollup.stats().dropped.write_failed).toBe(2);
    const dropped = json.find((m) => m.name === 'aos_telemetry_rows_dropped_total');
    expect(dropped?.values.some((v) => v.labels.writer === 'metrics')).toBe(true);
  });
});
