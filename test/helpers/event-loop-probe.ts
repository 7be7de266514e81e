/**
 * Sends one request to an in-process API while probing its /healthz every 20 ms and recording the event loop's
 * worst stall (`monitorEventLoopDelay`): how a test proves that a request does not hold the loop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The answer, the body's size, the loop's worst stall and the slowest health probe. */
export interface ProbedAnswer {
  status: number;
  answer: string;
  kb: number;
  stallMs: number;
  slowestProbeMs: number;
}

/** Sends `body` as JSON (`method`, default POST) to `base + path` while health checks run alongside. */
export async function sendAlongsideHealthChecks(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
  method = 'POST',
): Promise<ProbedAnswer> {
  const text = JSON.stringify(body);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let slowestProbeMs = 0;
  let done = false;
  const probes = (async () => {
    while (!done) {
      const started = performance.now();
      const res = await fetch(`${base}/healthz`);
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      slowestProbeMs = Math.max(slowestProbeMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  let res: Response;
  let answer: string;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: text,
    });
    answer = await res.text();
  } finally {
    done = true;
    await probes;
    loop.disable();
  }
  return { status: res.status, answer, kb: text.length / 1024, stallMs: loop.max / 1e6, slowestProbeMs };
}
