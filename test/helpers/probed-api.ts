/**
 * The in-process test API listening on a local port, for tests that send a request alongside health checks
 * (./event-loop-probe.ts) and measure how long it holds the event loop.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { warmValidationThreads } from '../../services/validation';
import { createTestApi, type TestApi } from './api';

/** The API, the base URL it answers at and how to stop both. */
export interface ProbedApi {
  api: TestApi;
  base: string;
  close(): Promise<void>;
}

/** Starts the test API on a free port of 127.0.0.1, its validation threads booted. */
export async function startProbedApi(): Promise<ProbedApi> {
  const api = await createTestApi();
  const server: Server = api.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  // A thread boots by compiling TypeScript under jest: let it finish before stalls are measured.
  await warmValidationThreads();
  return {
    api,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await api.close();
    },
  };
}
