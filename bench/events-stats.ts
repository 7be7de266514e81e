/** Latency statistics for the benchmarks. */

/** Throughput and percentiles of one measured series. */
export interface Series {
  name: string;
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Summarises latencies (ms) measured over `seconds`. */
export function summarise(name: string, latencies: number[], seconds: number): Series {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { name, count: sorted.length, seconds, perSecond: sorted.length / seconds, p50: pct(50), p99: pct(99) };
}

/** Runs `job(i)` for i < n with `concurrency` workers; returns each call's latency (ms) and the wall time (s). */
export async function runConcurrently(
  n: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - began) / 1000 };
}
