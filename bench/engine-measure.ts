/** Measurement for `bench:engine`: closed-loop batches of runs, merged per scenario, printed as a table. */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { Client } from '@temporalio/client';
import { addCpu, cpuUsed, type CpuMeter, type CpuUse } from './cpu-meter';

/** One benchmarked workload: how to start one run of it. */
export interface Scenario {
  name: string;
  start: (client: Client, id: string) => Promise<{ result(): Promise<unknown> }>;
  /** Runs as the batch's clock starts (e.g. switches observability on). */
  before?: () => void;
  /** Runs, and is awaited, before the batch's clock and CPU meter stop (e.g. flushes what the batch queued). */
  after?: () => Promise<void>;
}

/** What the batches of one scenario measured, merged. */
export interface Sample {
  name: string;
  latencies: number[];
  seconds: number;
  /** CPU of the whole stack: this process, its Temporal server, its PostgreSQL backends. */
  stackCpu: CpuUse;
  /** Workflow ids of the runs (a sample of them is described at the end for their history length). */
  workflowIds: string[];
  /** Mean history length (events) of the sampled runs, once measured. */
  historyLength?: number;
}

/** Runs `runs` runs of `s`, `concurrency` in flight; each worker starts its next run when one ends. */
export async function runBatch(
  client: Client,
  s: Scenario,
  runs: number,
  concurrency: number,
  meter: CpuMeter,
): Promise<Sample> {
  const latencies: number[] = [];
  const workflowIds: string[] = [];
  let next = 0;
  const began = Date.now();
  // CPU of the stack (worker threads, activities, client, server, database): not moved by other load on the machine.
  const stack0 = await meter.snapshot();
  s.before?.();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < runs) {
        const n = next++;
        const t0 = Date.now();
        const id = `${s.name.replace(/[^a-z0-9]+/gi, '-')}-${n}-${randomUUID().slice(0, 8)}`;
        workflowIds.push(id);
        const handle = await s.start(client, id);
        await handle.result();
        latencies.push(Date.now() - t0);
      }
    }),
  );
  await s.after?.();
  const stackCpu = cpuUsed(stack0, await meter.snapshot());
  return { name: s.name, latencies, seconds: (Date.now() - began) / 1000, stackCpu, workflowIds };
}

/** Adds a batch to the scenario's running totals. */
export function merge(into: Sample | undefined, batch: Sample): Sample {
  if (!into) return batch;
  return {
    name: into.name,
    latencies: [...into.latencies, ...batch.latencies],
    seconds: into.seconds + batch.seconds,
    stackCpu: addCpu(into.stackCpu, batch.stackCpu),
    workflowIds: [...into.workflowIds, ...batch.workflowIds],
  };
}

/** Measures the mean history length of up to `sample` runs of the scenario (after the timed batches). */
export async function measureHistory(client: Client, s: Sample, sample = 20): Promise<void> {
  const ids = s.workflowIds.slice(-sample);
  const lengths = await Promise.all(
    ids.map(async (id) => (await client.workflow.getHandle(id).describe()).historyLength),
  );
  s.historyLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
}

/** Prints the markdown table: throughput over the time spent in the scenario, latency percentiles, ratio. */
export function printTable(samples: Sample[], header: string, loadBefore: number[]): void {
  const throughput = (s: Sample) => s.latencies.length / s.seconds;
  const pct = (s: Sample, p: number) => {
    const sorted = [...s.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  };
  const baseline = (name: string) => samples.find((r) => r.name === `${name.split(' ')[0]} hand-written`);
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\n${header}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
  console.log(`load average before: ${load(loadBefore)}, after: ${load(loadavg())}\n`);
  console.log(
    '| scenario | runs/s | p50 ms | p95 ms | CPU ms/run: bench + Temporal + PostgreSQL = stack | history events/run | throughput vs hand-written | stack CPU vs hand-written |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of samples) {
    const b = baseline(s.name);
    const ratio = b ? `${((throughput(s) / throughput(b)) * 100).toFixed(0)}%` : '';
    const perRun = (ms: number) => (ms / s.latencies.length).toFixed(0);
    const total = (c: CpuUse) => c.self + c.temporal + c.pg;
    const cpu = `${perRun(s.stackCpu.self)} + ${perRun(s.stackCpu.temporal)} + ${perRun(s.stackCpu.pg)} = ${perRun(total(s.stackCpu))}`;
    // Under saturation throughput follows CPU per run: hand-written's CPU over this row's is the ratio it predicts.
    const cpuRatio = b
      ? `${((total(b.stackCpu) / b.latencies.length / (total(s.stackCpu) / s.latencies.length)) * 100).toFixed(0)}%`
      : '';
    console.log(
      `| ${s.name} | ${throughput(s).toFixed(1)} | ${pct(s, 50)} | ${pct(s, 95)} | ${cpu} | ${s.historyLength?.toFixed(1) ?? ''} | ${ratio} | ${cpuRatio} |`,
    );
  }
}
