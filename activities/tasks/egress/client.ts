/**
 * The HTTP client of `http` and `integration` tasks: one request, no redirect following (redirects.ts does
 * that, hop by hop), every connection checked by the egress policy. The check runs inside the socket's own
 * DNS lookup, on the very addresses it then connects to, so a name cannot resolve to a public address for the
 * check and to a private one for the connection (DNS rebinding). IP literals, which skip the lookup, are
 * checked before the request. Built on node:http(s), whose `lookup` hook is the documented place for this;
 * answers come back as a WHATWG Response, like fetch's.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import zlib from 'node:zlib';
import type { EgressPolicy } from './policy';

/** One request without following redirects; the http executor's transport. */
export type HttpClient = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<Response>;

/** Thrown (inside the client) when the policy refuses a destination; the executor turns it into EgressDenied. */
export class EgressDeniedError extends Error {
  constructor() {
    super('destination not allowed by the egress policy');
    this.name = 'EgressDeniedError';
  }
}

/** Options of the client; tests inject a resolver to stand in for DNS. */
export interface EgressClientOptions {
  lookup?: typeof dnsLookup;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function pinnedLookup(policy: EgressPolicy, host: string, port: number, resolve: typeof dnsLookup): LookupFunction {
  return ((hostname: string, options: LookupOptions, callback: LookupCallback) => {
    resolve(
      hostname,
      { ...options },
      (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
        if (err) return callback(err, '');
        // With `all` (happy eyeballs), only the allowed addresses are offered to connect to.
        if (Array.isArray(address)) {
          const allowed = address.filter((a) => policy.allows({ host, port, address: a.address }));
          return allowed.length > 0 ? callback(null, allowed) : callback(new EgressDeniedError(), '');
        }
        return policy.allows({ host, port, address })
          ? callback(null, address, family)
          : callback(new EgressDeniedError(), '');
      },
    );
  }) as unknown as LookupFunction;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function decoded(res: http.IncomingMessage): Readable {
  switch ((res.headers['content-encoding'] ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(
        zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
      );
    case 'deflate':
      return res.pipe(
        zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }),
      );
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

async function toResponse(res: http.IncomingMessage, method: string): Promise<Response> {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) throw new Error(`invalid response status ${status}`);
  if (method === 'HEAD' || NULL_BODY.has(status)) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  const stream = decoded(res);
  if (stream !== res) {
    res.on('error', (e) => stream.destroy(e));
    headers.delete('content-encoding');
  }
  const body = await buffer(stream);
  return new Response(body, { status, statusText: res.statusMessage, headers });
}

/** Builds the client over a policy; its connections are kept alive in its own agents (never shared with another policy). */
export function createEgressClient(policy: EgressPolicy, opts: EgressClientOptions = {}): HttpClient {
  const resolve = opts.lookup ?? dnsLookup;
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  return (url, init) =>
    new Promise<Response>((resolvePromise, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        return reject(new TypeError(`unsupported protocol ${u.protocol}`));
      const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
      const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
      if (isIP(host) && !policy.allows({ host, port, address: host })) return reject(new EgressDeniedError());
      const { signal } = init;
      if (signal?.aborted) return reject(signal.reason);
      const headers: Record<string, string> = {
        accept: '*/*',
        'accept-encoding': 'gzip, deflate, br',
        'user-agent': 'aos-orchestrator',
        ...init.headers,
      };
      if (init.body !== undefined) {
        headers['content-type'] ??= 'text/plain;charset=UTF-8';
        headers['content-length'] = String(Buffer.byteLength(init.body));
      }
      const mod = u.protocol === 'https:' ? https : http;
      const req = mod.request(u, {
        method: init.method,
        headers,
        agent: agents[u.protocol],
        lookup: pinnedLookup(policy, host, port, resolve),
      });
      // Abort with the signal's own reason (a TimeoutError for the per-request timeout), as fetch does.
      const onAbort = () => req.destroy(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.on('error', (err) => {
        done();
        reject(err);
      });
      req.on('response', (res) => {
        toResponse(res, init.method).then(
          (r) => {
            done();
            resolvePromise(r);
          },
          (err) => {
            done();
            req.destroy();
            reject(signal?.aborted ? signal.reason : err);
          },
        );
      });
      req.end(init.body);
    });
}

/** Whether an error (or its cause) is the policy's refusal. */
export function isEgressDenied(err: unknown): boolean {
  for (let e = err as { cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++)
    if (e instanceof EgressDeniedError) return true;
  return false;
}
