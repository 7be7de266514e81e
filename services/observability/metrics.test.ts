import type { Knex } from 'knex';
import {
  clearGaugeSource,
  metricsText,
  readGauges,
  recordRunClosed,
  recordRunTransition,
  registry,
  secondsBetween,
  setGaugeSource,
  withTimeout,
} from './metrics';
import { sampleValue } from '../../test/helpers/prometheus';
import { BatchWriter } from './batch-writer';

/** A knex stand-in whose raw() answers the gauge query from `answer` (which may wait or fail). */
function fakeDb(answer: () => Promise<Record<string, number>>): { db: Knex; calls: () => number } {
  let calls = 0;
  const db = {
    raw: async () => {
      calls++;
      return { rows: [await answer()] };
    },
  } as unknown as Knex;
  return { db, calls: () => calls };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const row = { dispatcher_backlog: 3, dead_letters_open: 2, human_tasks_open: 1 };

describe('metrics helpers', () => {
  afterEach(() => clearGaugeSource());

  it('secondsBetween measures forward intervals only', () => {
    expect(secondsBetween('2026-01-01T00:00:00Z', '2026-01-01T00:00:02.5Z')).toBe(2.5);
    expect(secondsBetween(new Date(1000), new Date(1000))).toBe(0);
    expect(secondsBetween('2026-01-01T00:00:02Z', '2026-01-01T00:00:00Z')).toBeUndefined();
    expect(secondsBetween(null, '2026-01-01T00:00:00Z')).toBeUndefined();
    expect(secondsBetween('not a date', '2026-01-01T00:00:00Z')).toBeUndefined();
  });

  it('withTimeout answers undefined past its time and passes results and errors through', async () => {
    expect(
      await withTimeout(
        sleep(50).then(() => 1),
        5,
      ),
    ).toBeUndefined();
    expect(await withTimeout(Promise.resolve(2), 50)).toBe(2);
    await expect(withTimeout(Promise.reject(new Error('x')), 50)).rejects.toThrow('x');
  });

  it('records each terminal status on its own counter, durations for completed runs only', async () => {
    const definition = `unit-${Math.random()}`;
    recordRunTransition({ definition, status: 'running', started: true });
    recordRunTransition({ definition, status: 'waiting' });
    recordRunTransition({ definition, status: 'completed', startedAt: new Date(0), completedAt: new Date(1500) });
    recordRunTransition({ definition, status: 'failed', startedAt: new Date(0), completedAt: new Date(10) });
    recordRunClosed({ definition_workflow_id: definition, status: 'terminated' });
    recordRunClosed({ definition_workflow_id: definition, status: 'timed_out' });
    recordRunTransition({ definition, status: 'cancelled' });
    const text = await registry.metrics();
    const v = (name: string) => sampleValue(text, name, { definition });
    expect(v('aos_runs_started_total')).toBe(1);
    expect(v('aos_runs_completed_total')).toBe(1);
    expect(v('aos_runs_failed_total')).toBe(1);
    expect(v('aos_runs_cancelled_total')).toBe(1);
    expect(v('aos_runs_terminated_total')).toBe(1);
    expect(v('aos_runs_timed_out_total')).toBe(1);
    expect(v('aos_run_duration_seconds_count')).toBe(1);
    expect(v('aos_run_duration_seconds_sum')).toBe(1.5);
  });

  it('reads 0 without a source, then counts the gauges once per cache period', async () => {
    expect(await readGauges()).toBeUndefined();
    expect(sampleValue(await metricsText(), 'aos_human_tasks_open')).toBe(0);
    const { db, calls } = fakeDb(async () => row);
    setGaugeSource(db, { ttlMs: 60_000, timeoutMs: 1000 });
    const text = await metricsText();
    expect(sampleValue(text, 'aos_dispatcher_backlog')).toBe(3);
    expect(sampleValue(text, 'aos_dead_letters_open')).toBe(2);
    expect(sampleValue(text, 'aos_human_tasks_open')).toBe(1);
    await metricsText();
    // Three gauges, two scrapes: one query.
    expect(calls()).toBe(1);
  });

  it('keeps the last counts and counts an error when the query is slow or fails', async () => {
    let mode: 'ok' | 'slow' | 'fail' = 'ok';
    const { db } = fakeDb(async () => {
      if (mode === 'slow') await sleep(200);
      if (mode === 'fail') throw new Error('database down');
      return row;
    });
    setGaugeSource(db, { ttlMs: 0, timeoutMs: 20 });
    expect((await readGauges())?.humanTasksOpen).toBe(1);
    const errors = sampleValue(await registry.metrics(), 'aos_metrics_gauge_errors_total');
    mode = 'slow';
    const started = Date.now();
    expect((await readGauges())?.humanTasksOpen).toBe(1);
    expect(Date.now() - started).toBeLessThan(150);
    mode = 'fail';
    expect((await readGauges())?.deadLettersOpen).toBe(2);
    expect(sampleValue(await registry.metrics(), 'aos_metrics_gauge_errors_total') - errors).toBeGreaterThanOrEqual(2);
  });
});

describe('aos_telemetry_rows_dropped_total', () => {
  it("reads each open writer's drops by reason at scrape time", async () => {
    const w = new BatchWriter<number>({ name: 'drop-probe', capacity: 2 }); // no sink: everything waits
    for (let i = 0; i < 5; i++) w.offer(i);
    const text = await registry.metrics();
    expect(text).toContain('aos_telemetry_rows_dropped_total{writer="drop-probe",reason="queue_full"} 3');
    await w.close(10);
    expect(await registry.metrics()).not.toContain('writer="drop-probe"');
  });
});
