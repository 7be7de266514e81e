/**
 * The egress client against a local server on 127.0.0.1: the policy is asked about the address the socket
 * connects to (a stand-in resolver plays DNS; nothing leaves the machine).
 */
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createEgressClient, isEgressDenied } from './client';
import { createEgressPolicy } from './policy';

let server: Server;
let port: number;
const hits: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req);
    if (req.url === '/gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return res.end(gzipSync(JSON.stringify({ zipped: true })));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ host: req.headers.host }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(
  () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(r);
    }),
);

/** A resolver standing in for DNS: answers from `answers` in turn (the last repeats), counting calls. */
function fakeDns(...answers: string[]) {
  const calls: string[] = [];
  const lookup = ((
    hostname: string,
    options: { all?: boolean },
    cb: (e: Error | null, a: string | LookupAddress[], f?: number) => void,
  ) => {
    calls.push(hostname);
    const address = answers[Math.min(calls.length - 1, answers.length - 1)];
    const family = address.includes(':') ? 6 : 4;
    if (options?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as never;
  return { lookup, calls };
}

const get = (client: ReturnType<typeof createEgressClient>, url: string) => client(url, { method: 'GET', headers: {} });

async function refusal(p: Promise<unknown>): Promise<unknown> {
  const err = await p.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (e: unknown) => e,
  );
  expect(isEgressDenied(err)).toBe(true);
  return err;
}

describe('the egress client', () => {
  it('refuses loopback by default, as a literal, an IPv4-mapped literal, or a name resolving to it, without connecting', async () => {
    const before = hits.length;
    const client = createEgressClient(createEgressPolicy());
    await refusal(get(client, `http://127.0.0.1:${port}/`));
    await refusal(get(client, `http://[::ffff:127.0.0.1]:${port}/`));
    await refusal(get(client, `http://2130706433:${port}/`)); // 127.0.0.1 as one decimal number
    await refusal(get(createEgressClient(createEgressPolicy(), fakeDns('127.0.0.1')), `http://public.test:${port}/`));
    expect(hits.length).toBe(before);
  });

  it('lets an allow-listed address through', async () => {
    const client = createEgressClient(createEgressPolicy(`127.0.0.1:${port}`));
    const res = await get(client, `http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    await refusal(get(client, `http://127.0.0.1:${port + 1 === 65536 ? port - 1 : port + 1}/`));
  });

  it('connects to the address the policy approved: a name re-resolving elsewhere (DNS rebinding) cannot slip through', async () => {
    // First answer: an allowed address where nothing listens; later answers: the (refused) local server.
    // Checking one resolution and connecting with another would reach the server; pinning cannot.
    const dns = fakeDns('127.0.0.2', '127.0.0.1');
    const before = hits.length;
    const client = createEgressClient(createEgressPolicy('127.0.0.2'), dns);
    const err = await get(client, `http://rebind.test:${port}/`).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED'); // allowed, then refused by the empty port
    expect(dns.calls).toEqual(['rebind.test']);
    expect(hits.length).toBe(before);
  });

  it('lets an allow-listed host name through to whatever it resolves to, with its Host header', async () => {
    const client = createEgressClient(createEgressPolicy('svc.test'), fakeDns('127.0.0.1'));
    const res = await get(client, `http://svc.test:${port}/`);
    expect(await res.json()).toEqual({ host: `svc.test:${port}` });
  });

  it('decodes a gzip body as fetch does', async () => {
    const res = await get(createEgressClient(createEgressPolicy('127.0.0.1')), `http://127.0.0.1:${port}/gzip`);
    expect(await res.json()).toEqual({ zipped: true });
    expect(res.headers.get('content-encoding')).toBeNull();
  });
});
