/**
 * connectTemporal (common/temporal-connection.ts): a call that fails while its connection closes is not retried on
 * the closed channel. The client talks to the dev server through a local TCP relay; the test cuts the relay so a
 * call fails with a retryable status, closes the connection while the SDK's retry is scheduled, and expects the
 * call to fail to its caller, with no exception thrown outside it (jest fails the file on one).
 */
import { Client } from '@temporalio/client';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connectTemporal } from '../../common/temporal-connection';
import { temporalAddress } from '../helpers/temporal';

jest.setTimeout(60_000);

/** A TCP relay to `target` that can cut every connection and refuse new ones. */
async function startRelay(target: string): Promise<{ address: string; cut(): void; close(): Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((inbound) => {
    if (!open) return void inbound.destroy();
    const outbound = tcpConnect(port, host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

it('fails a call cut off while the connection closes, instead of retrying it on the closed channel', async () => {
  const relay = await startRelay(temporalAddress());
  const connection = await connectTemporal({ address: relay.address });
  const client = new Client({ connection, namespace: 'default' });
  // A call that works through the relay.
  await expect(client.workflowService.getSystemInfo({})).resolves.toBeDefined();

  relay.cut();
  // Fails with UNAVAILABLE: the SDK schedules a retry; closing now must not leave it to run on a closed channel.
  const call = client.workflowService.getSystemInfo({});
  const outcome = call.then(
    () => 'answered',
    (err: Error) => err.message,
  );
  await new Promise((resolve) => setTimeout(resolve, 30));
  await connection.close();
  expect(await outcome).not.toBe('answered');
  // Past every retry the SDK's backoff could have scheduled: nothing runs on the closed channel.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await relay.close();
});

it('closes at once when no retry is pending', async () => {
  const connection = await connectTemporal({ address: temporalAddress() });
  await new Client({ connection, namespace: 'default' }).workflowService.getSystemInfo({});
  const started = Date.now();
  await connection.close();
  expect(Date.now() - started).toBeLessThan(500);
});
