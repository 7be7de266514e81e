/**
 * HTTP load generator for bench:events, run in a worker thread so the client's CPU does not share the API's
 * event loop (a real publisher is another process, usually on another machine). It is a deliberately lean
 * HTTP/1.1 client: `concurrency` keep-alive connections, one request in flight per connection (no
 * pipelining), each request written as one buffer, each response read in full (status line, headers,
 * Content-Length body) before the connection's next request. Node's http client cost ~60 µs of CPU per
 * request on the bench machine, CPU that the 2 cores then lacked for the API and PostgreSQL; this one costs
 * a fraction of that, so the measurement charges the API side with less of the load generator's own cost.
 * The thread's code is plain JavaScript (evaluated), so it runs without a TypeScript loader.
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
const { connect } = require('node:net');
const { parentPort, workerData: job } = require('node:worker_threads');
const url = new URL(job.url);
const head = 'POST ' + url.pathname + url.search + ' HTTP/1.1\\r\\nHost: ' + url.host + '\\r\\nConnection: keep-alive\\r\\n'
  + Object.entries({ ...job.headers, 'content-type': 'application/json' }).map(([k, v]) => k + ': ' + v + '\\r\\n').join('');
const requestOf = (body) => Buffer.from(head + 'Content-Length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n' + body);
const HEADER_END = Buffer.from('\\r\\n\\r\\n');

// One connection: send() resolves with the status code once the whole response has arrived.
function connection() {
  return new Promise((ready, fail) => {
    const socket = connect(Number(url.port), url.hostname, () => ready({ send, close: () => socket.destroy() }));
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let pending;
    socket.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const end = buf.indexOf(HEADER_END);
      if (end < 0 || !pending) return;
      const headers = buf.toString('latin1', 0, end);
      const m = /^content-length:\\s*(\\d+)/im.exec(headers);
      if (!m) return pending.reject(new Error('response without Content-Length: ' + headers));
      const total = end + 4 + Number(m[1]);
      if (buf.length < total) return;
      if (buf.length > total) return pending.reject(new Error('unexpected bytes after a response'));
      const status = Number(headers.slice(9, 12));
      buf = Buffer.alloc(0);
      const p = pending;
      pending = undefined;
      p.resolve(status);
    });
    socket.on('error', (err) => (pending ? pending.reject(err) : fail(err)));
    socket.on('close', () => pending && pending.reject(new Error('connection closed before the response')));
    function send(request) {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(request);
      });
    }
  });
}

// This thread's own CPU (ms), so the bench can say what the load generator cost; undefined without /proc.
function threadCpuMs() {
  try {
    const stat = require('node:fs').readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const latencies = [];
const statuses = {};
let next = 0;
const requests = job.bodies.map(requestOf);
Promise.all(Array.from({ length: job.concurrency }, connection)).then(async (conns) => {
  const began = performance.now();
  const cpuBefore = threadCpuMs();
  await Promise.all(conns.map(async (c) => {
    while (next < requests.length) {
      const request = requests[next++];
      const t0 = performance.now();
      const status = await c.send(request);
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] || 0) + 1;
    }
  }));
  const seconds = (performance.now() - began) / 1000;
  const cpuAfter = threadCpuMs();
  for (const c of conns) c.close();
  parentPort.postMessage({ latencies, seconds, statuses, cpuMs: cpuBefore === undefined ? undefined : cpuAfter - cpuBefore });
}).catch((err) => { throw err; });
`;

/** What one load run measured. */
export interface LoadResult {
  /** Per-request latencies (ms). */
  latencies: number[];
  /** Wall time (s). */
  seconds: number;
  statuses: Record<number, number>;
  /** CPU the load generator's thread used (ms; undefined without /proc). */
  cpuMs?: number;
}

/** Posts every body with `concurrency` requests in flight. */
export function postAll(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(THREAD, { eval: true, workerData: job });
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}
