/**
 * HTTP load generator for bench:events, run in a worker thread so the client's CPU does not share the API's
 * event loop (a real publisher is another process). Plain http.request over a keep-alive agent. The thread's
 * code is plain JavaScript (evaluated), so it runs without a TypeScript loader.
 */
import { Worker } from 'node:worker_threads';

/** One load run. */
export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  bodies: string[];
  concurrency: number;
}

const THREAD = `
const { Agent, request } = require('node:http');
const { parentPort, workerData: job } = require('node:worker_threads');
const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
const url = new URL(job.url);
const post = (body) => new Promise((resolve, reject) => {
  const req = request(url, { method: 'POST', agent, headers: { ...job.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', reject);
  req.end(body);
});
const latencies = [];
const statuses = {};
let next = 0;
const began = performance.now();
Promise.all(Array.from({ length: job.concurrency }, async () => {
  while (next < job.bodies.length) {
    const body = job.bodies[next++];
    const t0 = performance.now();
    const status = await post(body);
    latencies.push(performance.now() - t0);
    statuses[status] = (statuses[status] || 0) + 1;
  }
})).then(() => {
  agent.destroy();
  parentPort.postMessage({ latencies, seconds: (performance.now() - began) / 1000, statuses });
});
`;

/** Posts every body with `concurrency` requests in flight; per-request latencies (ms), wall time (s), status counts. */
export function postAll(job: LoadJob): Promise<{ latencies: number[]; seconds: number; statuses: Record<number, number> }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(THREAD, { eval: true, workerData: job });
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}
