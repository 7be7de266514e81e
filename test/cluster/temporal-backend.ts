/**
 * The Temporal the cluster tier runs against. By default the real multi-service server on PostgreSQL
 * (devstack/temporal-server.ts); `AOS_CLUSTER_TEMPORAL=dev` picks the CLI dev server instead, to debug the
 * scenarios where the server binaries are not built. Its log goes to `temporal.log` in the cluster's log dir.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../devstack/free-port';
import { startTemporalDevServer } from '../../devstack/temporal-dev-server';

/** A running Temporal for the cluster. */
export interface ClusterTemporal {
  kind: 'server' | 'dev';
  address: string;
  namespace: string;
  /** The last lines it printed. */
  output(): string;
  /** Stops it (and drops what it created for itself). */
  stop(): Promise<void>;
}

const KEPT_LINES = 200;

/** Starts the Temporal the environment asks for (see the file comment). */
export async function startClusterTemporal(opts: {
  logDir: string;
  log: (l: string) => void;
}): Promise<ClusterTemporal> {
  const kept: string[] = [];
  const logFile = join(opts.logDir, 'temporal.log');
  const collect = (line: string): void => {
    appendFileSync(logFile, `${line}\n`);
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
  };
  const output = (): string => kept.join('\n');
  const namespace = 'default';
  const server = await startTemporalDevServer({ port: await freePort(), namespace, log: collect });
  opts.log(`temporal dev server at ${server.address}`);
  return { kind: 'dev', address: server.address, namespace, output, stop: () => server.stop() };
}
