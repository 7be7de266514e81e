/** Measurement for `bench:engine`: closed-loop batches of runs, merged per scenario, printed as a table. */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { Client } from '@temporalio/client';

/** One benchmarked workload: how to start one run of it. */
export interface Scenario {
  name: string;
  start: (client: Client, id: string) => Promise<{ result(): Promise<unknown> }>;
}

/** What the batches of one scenario measured, merged. */
export interface Sample {
  name: string;
  latencies: number[];
  seconds: number;
  cpuMs: number;
}

/** Runs `runs` runs of `s`, `concurrency` in flight; each worker starts its next run when one ends. */
export async function runBatch(client: Client, s: Scenario, runs: number, concurrency: number): Promise<Sample> {
  const latencies: number[] = [];
  let next = 0;
  const began = Date.now();
  // Process-wide CPU (worker threads, activities, client): moved less than wall time by other load on the machine.
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < runs) {
      const n = next++;
      const t0 = Date.now();
      const handle = await s.start(client, `${s.name}-${n}-${randomUUID().slice(0, 8)}`);
      await handle.result();
      latencies.push(Date.now() - t0);
    }
  }));
  const cpu = process.cpuUsage(cpu0);
  return { name: s.name, latencies, seconds: (Date.now() - began) / 1000, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Adds a batch to the scenario's running totals. */
export function merge(into: Sample | undefined, batch: Sample): Sample {
  if (!into) return batch;
  return { name: into.name, latencies: [...into.latencies, ...batch.latencies], seconds: into.seconds + batch.seconds, cpuMs: into.cpuMs + batch.cpuMs };
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
  console.log('| scenario | runs/s | p50 ms | p95 ms | bench CPU ms/run | throughput vs hand-written |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const s of samples) {
    const b = baseline(s.name);
    const ratio = b ? `${((throughput(s) / throughput(b)) * 100).toFixed(0)}%` : '';
    const cpuPerRun = (s.cpuMs / s.latencies.length).toFixed(0);
    console.log(`| ${s.name} | ${throughput(s).toFixed(1)} | ${pct(s, 50)} | ${pct(s, 95)} | ${cpuPerRun} | ${ratio} |`);
  }
}
